"""A small CloudWatch alarm evaluator that reads an alarm's definition from the template.

It evaluates what the synthesized ``AWS::CloudWatch::Alarm`` says (metric queries, the metric
math expression, comparison, threshold, M of N, missing data) over datapoints a test supplies, so
a test of an alarm's behaviour cannot drift from the alarm that is deployed. Only the metric math
the stack uses is implemented; anything else raises, so a new function fails loudly here instead
of being evaluated wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Series = list[float | None]
Value = Series | float
DatapointSource = Callable[[Mapping[str, Any], int], Series]
"""(a query's ``MetricStat``, how many periods) -> one value per period, ``None`` when missing."""

_TOKEN = re.compile(
    r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(>=|<=|==|!=|[-+*/(),\[\]<>]))"
)
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


@dataclass(frozen=True, slots=True)
class AlarmDefinition:
    logical_id: str
    queries: tuple[Mapping[str, Any], ...]
    comparison: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    missing: str

    @classmethod
    def from_template(cls, logical_id: str, resource: Mapping[str, Any]) -> AlarmDefinition:
        props = resource["Properties"]
        if "Metrics" in props:
            queries = tuple(props["Metrics"])
        else:  # a single-metric alarm, as one query
            stat = {
                "Metric": {
                    "Namespace": props["Namespace"],
                    "MetricName": props["MetricName"],
                    "Dimensions": props.get("Dimensions", []),
                },
                "Period": props["Period"],
                "Stat": props.get("Statistic") or props.get("ExtendedStatistic"),
            }
            queries = ({"Id": "m", "MetricStat": stat, "ReturnData": True},)
        periods = int(props["EvaluationPeriods"])
        return cls(
            logical_id=logical_id,
            queries=queries,
            comparison=props["ComparisonOperator"],
            threshold=float(props["Threshold"]),
            evaluation_periods=periods,
            datapoints_to_alarm=int(props.get("DatapointsToAlarm", periods)),
            missing=props.get("TreatMissingData", "missing"),
        )

    def series(self, source: DatapointSource, periods: int) -> Series:
        """The value the alarm compares, per period."""
        env: dict[str, Value] = {}
        periods_of: dict[str, int] = {}
        for query in self.queries:
            if "MetricStat" in query:
                env[query["Id"]] = source(query["MetricStat"], periods)
                periods_of[query["Id"]] = int(query["MetricStat"]["Period"])
        for query in self.queries:  # expressions may name each other, in template order
            if "Expression" in query:
                env[query["Id"]] = _Expression(query["Expression"], env, periods_of).evaluate()
        (returned,) = [q["Id"] for q in self.queries if q.get("ReturnData", True)]
        value = env[returned]
        assert isinstance(value, list), "an alarm compares a time series"
        return value

    def states(self, series: Series) -> list[str]:
        """The alarm's state after each period: the last N periods, M of them breaching."""
        compare = _COMPARISONS[self.comparison]
        states: list[str] = []
        for end in range(1, len(series) + 1):
            window = series[max(0, end - self.evaluation_periods) : end]
            breaching = 0
            present = 0
            for value in window:
                if value is None:
                    if self.missing == "breaching":
                        breaching += 1
                        present += 1
                    elif self.missing == "notBreaching":
                        present += 1
                    continue
                present += 1
                breaching += compare(value, self.threshold)
            if breaching >= self.datapoints_to_alarm:
                states.append("ALARM")
            elif present:
                states.append("OK")
            else:  # all missing, missing data ignored: keep the state
                states.append(states[-1] if states else "INSUFFICIENT_DATA")
        return states


def transitions_to_alarm(states: Sequence[str]) -> list[int]:
    """The periods at which the alarm went into ALARM (each one notifies its alarm actions)."""
    return [i for i, s in enumerate(states) if s == "ALARM" and (i == 0 or states[i - 1] != s)]


class _Expression:
    """Recursive descent over CloudWatch metric math: + - * /, comparisons, functions."""

    def __init__(self, text: str, env: Mapping[str, Value], periods_of: Mapping[str, int]) -> None:
        self._tokens = self._tokenize(text)
        self._at = 0
        self._env = env
        self._periods_of = periods_of

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens, at = [], 0
        while at < len(text.rstrip()):
            match = _TOKEN.match(text, at)
            if match is None:
                raise ValueError(f"cannot read {text[at:]!r}")
            tokens.append(next(g for g in match.groups() if g is not None))
            at = match.end()
        return tokens

    def evaluate(self) -> Value:
        value = self._comparison()
        if self._at != len(self._tokens):
            raise ValueError(f"unexpected {self._tokens[self._at]!r}")
        return value

    def _peek(self) -> str | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _take(self, expected: str | None = None) -> str:
        token = self._tokens[self._at]
        if expected is not None and token != expected:
            raise ValueError(f"expected {expected!r}, got {token!r}")
        self._at += 1
        return token

    def _comparison(self) -> Value:
        left = self._sum()
        while self._peek() in {">", ">=", "<", "<=", "==", "!="}:
            op = self._take()
            left = _apply(left, self._sum(), _OPERATORS[op])
        return left

    def _sum(self) -> Value:
        left = self._product()
        while self._peek() in {"+", "-"}:
            op = self._take()
            left = _apply(left, self._product(), _OPERATORS[op])
        return left

    def _product(self) -> Value:
        left = self._atom()
        while self._peek() in {"*", "/"}:
            op = self._take()
            left = _apply(left, self._atom(), _OPERATORS[op])
        return left

    def _atom(self) -> Value:
        token = self._take()
        if token == "(":
            value = self._comparison()
            self._take(")")
            return value
        if re.fullmatch(r"\d+(?:\.\d+)?", token):
            return float(token)
        if self._peek() == "(":
            return self._call(token)
        return self._env[token]

    def _call(self, name: str) -> Value:
        self._take("(")
        if name == "PERIOD":
            metric = self._take()
            self._take(")")
            return float(self._periods_of[metric])
        args: list[Value | list[Value]] = []
        while self._peek() != ")":
            if self._peek() == "[":
                self._take("[")
                items = [self._comparison()]
                while self._peek() == ",":
                    self._take(",")
                    items.append(self._comparison())
                self._take("]")
                args.append(items)
            else:
                args.append(self._comparison())
            if self._peek() == ",":
                self._take(",")
        self._take(")")
        return _FUNCTIONS[name](*args)


def _apply(left: Value, right: Value, op: Callable[[float, float], float]) -> Value:
    if isinstance(left, list) or isinstance(right, list):
        length = len(left) if isinstance(left, list) else len(right)  # type: ignore[arg-type]
        lefts = left if isinstance(left, list) else [left] * length
        rights = right if isinstance(right, list) else [right] * length
        return [
            None if a is None or b is None else _safe(op, a, b)
            for a, b in zip(lefts, rights, strict=True)
        ]
    result = _safe(op, left, right)
    assert result is not None, "a constant divided by zero"
    return result


def _safe(op: Callable[[float, float], float], a: float, b: float) -> float | None:
    try:
        return float(op(a, b))
    except ZeroDivisionError:
        return None


def _diff(series: Value) -> Value:
    assert isinstance(series, list), "DIFF of a time series"
    previous: list[float | None] = [None, *series[:-1]]
    return [
        None if a is None or b is None else a - b for a, b in zip(series, previous, strict=True)
    ]


def _fill(series: Value, value: Value) -> Value:
    assert isinstance(series, list), "FILL of a time series"
    assert not isinstance(value, list), "FILL with a constant"
    return [value if v is None else v for v in series]


def _if(condition: Value, then: Value, otherwise: Value) -> Value:
    assert isinstance(condition, list), "IF over a time series"
    return [
        None
        if c is None
        else (then[i] if isinstance(then, list) else then)
        if c
        else (otherwise[i] if isinstance(otherwise, list) else otherwise)
        for i, c in enumerate(condition)
    ]


def _max(items: list[Value]) -> Value:
    assert all(isinstance(s, list) for s in items), "MAX([series, ...])"
    series = [s for s in items if isinstance(s, list)]
    return [
        max((v for v in column if v is not None), default=None)
        for column in zip(*series, strict=True)
    ]


_OPERATORS: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b),
    "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b),
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
}
_FUNCTIONS: dict[str, Callable[..., Value]] = {
    "DIFF": _diff,
    "FILL": _fill,
    "IF": _if,
    "MAX": _max,
}
