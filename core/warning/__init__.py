"""预警研判: early-warning rules over the order stream, and the alerts they raise.

- ``config``: the rules file (resources/early_warning.toml), checked, with line numbers;
- ``recent``: the orders a run looks at anew;
- one module per rule, each a plain function over the database returning candidates:
  ``clusters`` (聚集), ``repeat`` (重复来电), ``words`` (敏感词), ``surge`` (激增),
  ``breach`` (临期预警);
- ``alerts``: raising, acknowledging and closing alerts, and reading them for screens;
- ``run``: one run of every rule, and the service process's job.

No Qt here; titles are Chinese sentences because the alerts table stores them for every
screen and the wall alike, and ``detail`` keeps the codes and numbers behind them.
"""
