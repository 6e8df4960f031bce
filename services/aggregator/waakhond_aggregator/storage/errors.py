"""Which ClickHouse errors a retry can fix, and which the rows themselves cause.

A row the database or the client refuses (a value it cannot take) fails the same way on
every attempt: retrying it would stall the partition for ever, so the consumer finds the
row and dead-letters it. Everything else is retried: a lost connection, an overloaded
server, and also a missing table or a refused login, which no single message causes and
which an operator must fix; while they last, the consumer shows as stuck.
"""

from __future__ import annotations

import re
import struct

from clickhouse_connect.driver.exceptions import DatabaseError, DataError

# Server error codes raised by the values of an insert (ClickHouse's ErrorCodes.cpp).
ROW_ERROR_CODES = frozenset(
    {
        6,  # CANNOT_PARSE_TEXT
        26,  # CANNOT_PARSE_QUOTED_STRING
        27,  # CANNOT_PARSE_INPUT_ASSERTION_FAILED
        38,  # CANNOT_PARSE_DATE
        41,  # CANNOT_PARSE_DATETIME
        53,  # TYPE_MISMATCH
        69,  # ARGUMENT_OUT_OF_BOUND
        70,  # CANNOT_CONVERT_TYPE
        72,  # CANNOT_PARSE_NUMBER
        131,  # TOO_LARGE_STRING_SIZE
        190,  # SIZES_OF_ARRAYS_DONT_MATCH
        321,  # VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
    }
)
_CODE = re.compile(r"\bCode: (\d+)\b")


def caused_by_rows(error: BaseException) -> bool:
    """True when the error comes from the values being inserted, not from the connection,
    the server's state or its schema."""
    if isinstance(error, DataError | ValueError | TypeError | OverflowError | struct.error):
        return True
    if isinstance(error, DatabaseError):
        code = _CODE.search(str(error))
        return code is not None and int(code.group(1)) in ROW_ERROR_CODES
    return False


def transient(error: BaseException) -> bool:
    return not caused_by_rows(error)
