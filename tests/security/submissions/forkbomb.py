# attack: fork bomb
import os

n = 0
try:
    while True:
        pid = os.fork()
        if pid == 0:
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        n += 1
except OSError as e:
    print("fork limited after", n, e)
