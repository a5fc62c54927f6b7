# py_from chains explicitly with "raise ... from", and the last
# exception has a multi-line message.
class ConfigError(Exception):
    pass


def port(value):
    return int(value)


def load(cfg):
    try:
        return port(cfg["port"])
    except ValueError as e:
        raise ConfigError("invalid port\nexpected an integer") from e


load({"port": "eighty"})
