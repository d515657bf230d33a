def send_weekly_digest() -> int:
    return 0
