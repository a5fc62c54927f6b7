"""Fails with both of Python's chaining styles: a KeyError handled badly
(implicit context, "During handling of the above exception...") and then
re-raised explicitly with "from" ("The above exception was the direct
cause...")."""


class ConfigError(Exception):
    pass


class StartupError(Exception):
    pass


def read_port(cfg):
    try:
        return int(cfg["port"])
    except KeyError:
        raise ConfigError("port is not configured")


def start(cfg):
    try:
        read_port(cfg)
    except ConfigError as err:
        raise StartupError("server cannot start") from err


start({"host": "localhost"})
