# attack: 100 MB of output
import sys

chunk = "x" * (1024 * 1024 - 1) + "\n"
for _ in range(100):
    sys.stdout.write(chunk)
