# attack: read the instructor's source notebook (with hidden tests), graded copies, and the environment of pid 1
for path in ["__ROOT__/source/a1/kadai.ipynb", "__ROOT__/autograded/alice/a1/kadai.ipynb"]:
    try:
        print(open(path).read())
        print("ATTACK-SUCCEEDED source", path)
    except Exception as e:
        print("blocked:", path, type(e).__name__)
try:  # (a traceback would quote this cell's lines, the word below included: catch it)
    env = open("/proc/1/environ").read()
    if "TOKEN" in env or "testbed/secrets" in env:
        print("ATTACK-SUCCEEDED source /proc/1/environ")
except OSError as e:
    print("blocked: /proc/1/environ", type(e).__name__)
