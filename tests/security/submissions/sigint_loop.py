# attack: an infinite loop that ignores SIGINT (the interrupt nbclient sends on timeout)
import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
