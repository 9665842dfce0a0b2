# attack: delete the course, the hub's environment and everything writable
import shutil

for path in ["__ROOT__/source", "__ROOT__", "__ROOT__/../canary"]:
    try:
        shutil.rmtree(path)
        print("ATTACK-SUCCEEDED delete", path)
    except Exception as e:
        print("blocked:", path, type(e).__name__)
