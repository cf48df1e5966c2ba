"""The closed loop (六单) as pure functions over an in-memory order aggregate.

Actions mutate an ``Aggregate`` only through its ``set_*``/``add_*`` methods, which
journal every change; ``emit`` packs the journal into one event. Storage then writes
the rows and the events in one transaction. Because an event's payload *is* the
journal, replaying the events rebuilds the stored state.
"""
