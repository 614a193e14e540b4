print("multipathd: not yet")
