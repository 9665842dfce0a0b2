# attack: list and read other submissions, homes and the course directories
import os

for path in [
    "__ROOT__/submitted",
    "/home",
    "/root",
    "/var/lib/testbed/courses",
    "/var/lib/testbed/exchange",
    "__ROOT__",
]:
    try:
        names = os.listdir(path)
        print(path, names)
        if names and path != "/home":
            print("ATTACK-SUCCEEDED others", path)
    except Exception as e:
        print("blocked:", path, type(e).__name__)
print(open("__ROOT__/submitted/alice/a1/kadai.ipynb").read() if os.path.exists("__ROOT__/submitted/alice") else "")
