# py_chained raises while handling another exception, the implicit
# chain Python reports with "During handling of the above exception".
import json


def read(text):
    try:
        return json.loads(text)
    except ValueError:
        raise KeyError("config")


read("{bad")
