# attack: claim the CKAN network opt-in in the submitted notebook's own metadata (the test stamps
# {"testbed": {"network": "ckan"}} into it), then reach the catalogue and the hub over TCP
import os
import socket

print("CKAN_URL in env:", "CKAN_URL" in os.environ)
for port in (5000, 8081, 8000, 5433, 6380):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        print("ATTACK-SUCCEEDED network", port)
    except OSError as e:
        print("blocked:", port, type(e).__name__)
