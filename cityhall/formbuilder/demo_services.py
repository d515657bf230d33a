def seed_services(stdout):
    return None
