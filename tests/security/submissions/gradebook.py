# attack: read and rewrite the gradebook (full marks for everyone)
import sqlite3

try:
    db = sqlite3.connect("__ROOT__/gradebook.db")
    print(db.execute("select * from grade").fetchall())
    db.execute("update grade set manual_score = 99")
    db.execute("create table pwned (x)")
    db.commit()
    print("ATTACK-SUCCEEDED gradebook")
except Exception as e:
    print("blocked:", type(e).__name__, e)
