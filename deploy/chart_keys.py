"""The keys the Zero to JupyterHub chart accepts, for a static check of the rendered values.

Transcribed from the chart's ``jupyterhub/values.schema.yaml`` (a stored copy of the chart repository's
4.x series, read for this project; chart 4.3.0 added ``httpRoute`` and ``proxy.service.externalIPs``,
``ipFamilies``, ``ipFamilyPolicy``). Only objects the schema closes with ``additionalProperties: false``
are listed, with their required keys; helm itself validates the full schema at ``helm install``.
When upgrading the chart, re-read its values.schema.yaml and update CHART_VERSION and these lists.
"""

from __future__ import annotations

CHART_VERSION = "4.4.0"  # JupyterHub 5.5.0 in the chart's own hub image (changelog 2026-06-10)

_NETPOL = {"enabled", "ingress", "egress", "egressAllowRules", "interNamespaceAccessLabels", "allowedIngressPorts"}
_IMAGE = {"name", "tag", "pullPolicy", "pullSecrets"}

# dotted path -> (allowed keys, required keys)
CLOSED: dict[str, tuple[set[str], set[str]]] = {
    "": (
        {
            "enabled",
            "fullnameOverride",
            "nameOverride",
            "imagePullSecret",
            "imagePullSecrets",
            "hub",
            "proxy",
            "singleuser",
            "scheduling",
            "ingress",
            "httpRoute",
            "prePuller",
            "custom",
            "cull",
            "debug",
            "rbac",
            "global",
        },
        set(),
    ),
    "hub": (
        {
            "revisionHistoryLimit",
            "config",
            "extraFiles",
            "baseUrl",
            "command",
            "args",
            "cookieSecret",
            "image",
            "networkPolicy",
            "db",
            "labels",
            "initContainers",
            "extraEnv",
            "extraConfig",
            "fsGid",
            "service",
            "pdb",
            "existingSecret",
            "nodeSelector",
            "tolerations",
            "activeServerLimit",
            "allowNamedServers",
            "annotations",
            "authenticatePrometheus",
            "concurrentSpawnLimit",
            "consecutiveFailureLimit",
            "podSecurityContext",
            "containerSecurityContext",
            "deploymentStrategy",
            "extraContainers",
            "extraVolumeMounts",
            "extraVolumes",
            "livenessProbe",
            "readinessProbe",
            "namedServerLimitPerUser",
            "redirectToServer",
            "resources",
            "lifecycle",
            "services",
            "loadRoles",
            "shutdownOnLogout",
            "templatePaths",
            "templateVars",
            "serviceAccount",
            "extraPodSpec",
        },
        set(),
    ),
    "hub.image": (_IMAGE, {"name", "tag"}),
    "hub.networkPolicy": (_NETPOL, set()),
    "hub.service": ({"type", "ports", "annotations", "extraPorts", "loadBalancerIP"}, set()),
    "hub.db": ({"type", "pvc", "upgrade", "url", "password"}, set()),
    "proxy": (
        {
            "chp",
            "secretToken",
            "service",
            "https",
            "traefik",
            "labels",
            "annotations",
            "deploymentStrategy",
            "secretSync",
        },
        set(),
    ),
    "proxy.service": (
        {
            "type",
            "labels",
            "annotations",
            "nodePorts",
            "disableHttpPort",
            "extraPorts",
            "loadBalancerIP",
            "loadBalancerSourceRanges",
            "externalIPs",
            "ipFamilies",
            "ipFamilyPolicy",
        },
        set(),
    ),
    "singleuser": (
        {
            "networkPolicy",
            "podNameTemplate",
            "cpu",
            "memory",
            "image",
            "initContainers",
            "profileList",
            "extraFiles",
            "extraEnv",
            "nodeSelector",
            "extraTolerations",
            "extraNodeAffinity",
            "extraPodAffinity",
            "extraPodAntiAffinity",
            "cloudMetadata",
            "cmd",
            "defaultUrl",
            "events",
            "extraAnnotations",
            "extraContainers",
            "extraLabels",
            "extraPodConfig",
            "extraResource",
            "fsGid",
            "lifecycleHooks",
            "networkTools",
            "serviceAccountName",
            "startTimeout",
            "storage",
            "allowPrivilegeEscalation",
            "uid",
        },
        set(),
    ),
    "singleuser.image": (_IMAGE, {"name", "tag"}),
    "singleuser.networkPolicy": (_NETPOL, set()),
    "singleuser.cpu": ({"limit", "guarantee"}, set()),
    "singleuser.memory": ({"limit", "guarantee"}, set()),
    "singleuser.storage": (
        {"capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes", "homeMountPath", "static", "type"},
        {"type", "homeMountPath"},
    ),
    "singleuser.storage.dynamic": (
        {"pvcNameTemplate", "storageAccessModes", "storageClass", "volumeNameTemplate"},
        set(),
    ),
    "ingress": ({"enabled", "annotations", "ingressClassName", "hosts", "pathSuffix", "pathType", "tls"}, {"enabled"}),
    "prePuller": (
        {
            "revisionHistoryLimit",
            "labels",
            "annotations",
            "resources",
            "extraTolerations",
            "hook",
            "continuous",
            "pullProfileListImages",
            "extraImages",
            "containerSecurityContext",
            "pause",
        },
        set(),
    ),
    "prePuller.continuous": ({"enabled", "daemonsetAnnotations"}, {"enabled"}),
    "cull": (
        {"enabled", "users", "adminUsers", "removeNamedServers", "timeout", "every", "concurrency", "maxAge"},
        {"enabled"},
    ),
    "debug": ({"enabled"}, {"enabled"}),
    "rbac": ({"enabled", "create"}, {"create"}),
}
# objects whose every value is a file spec (hub.extraFiles.<key>, singleuser.extraFiles.<key>)
EXTRA_FILE_KEYS = {"mountPath", "data", "stringData", "binaryData", "mode"}
INTEGER_KEYS = {
    "cull.timeout",
    "cull.every",
    "cull.concurrency",
    "singleuser.startTimeout",
    "singleuser.uid",
    "singleuser.fsGid",
}


def check_values(values: dict) -> list[str]:
    """Keys of ``values`` the chart would refuse, missing required keys, wrong basic types."""
    out = []

    def walk(obj: object, path: str) -> None:
        if path in CLOSED:
            allowed, required = CLOSED[path]
            if not isinstance(obj, dict):
                out.append(f"{path or '(top)'}: must be a mapping")
                return
            for key in obj:
                if key not in allowed:
                    out.append(f"{path + '.' if path else ''}{key}: not a key of chart {CHART_VERSION}")
            for key in sorted(required - set(obj)):
                out.append(f"{path + '.' if path else ''}{key}: required by the chart")
        if path.endswith(".extraFiles") and isinstance(obj, dict):
            for name, spec in obj.items():
                unknown = set(spec) - EXTRA_FILE_KEYS
                if unknown or "mountPath" not in spec or not ({"data", "stringData", "binaryData"} & set(spec)):
                    out.append(f"{path}.{name}: needs mountPath and one of data/stringData/binaryData only")
            return
        if path in INTEGER_KEYS and not (isinstance(obj, int) and not isinstance(obj, bool)):
            out.append(f"{path}: must be an integer")
        if isinstance(obj, dict) and (path in CLOSED or path == ""):
            for key, value in obj.items():
                walk(value, f"{path}.{key}" if path else key)

    walk(values, "")
    return out
