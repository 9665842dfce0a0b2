#!/bin/sh
# Entry point of the single-user image: run the server as the trainee's own account.
# The hub sets TESTBED_UNIX_USER=<unix_user_prefix><hub user> (hub_config/containers.py), so nbgrader
# records the same student id as on one machine (jupyter-NAME); every trainee is uid 1000 in their
# own container, with a private home volume.
set -eu
home=/home/trainee
if [ "$(id -u)" = 0 ]; then
    name="${TESTBED_UNIX_USER:?TESTBED_UNIX_USER is not set (hub_config/containers.py sets it)}"
    if ! getent passwd "$name" >/dev/null; then
        useradd --uid 1000 --non-unique --gid users --home-dir "$home" --no-create-home --shell /bin/bash "$name"
    fi
    chown "$name:users" "$home"
    chmod 0700 "$home"
    export HOME="$home" USER="$name" LOGNAME="$name"
    exec setpriv --reuid=1000 --regid=100 --init-groups "$@"
fi
exec "$@"
