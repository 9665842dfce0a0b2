# attack: memory bomb
blocks = []
try:
    while True:
        blocks.append(bytearray(100 * 1024 * 1024))
except MemoryError:
    print("memory limited at", len(blocks), "x 100 MB")
