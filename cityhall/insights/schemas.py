"""API shapes: every KPI with the inputs it was computed from, so anyone can
recompute it. Money is in integer cents (USD); ratios are fractions (0.5 is
50%) to 4 places; times are hours (exact below 72 h, whole days above)."""

from __future__ import annotations

from datetime import date

from ninja import Schema


class PeriodOut(Schema):
    start: date
    end: date
    channel: str | None


class ServiceKpisOut(Schema):
    code: str
    name: str
    period: PeriodOut
    started: int
    completed: int
    completion_rate: float | None
    digital_take_up: float | None
    median_hours_to_decision: int | None
    p90_hours_to_decision: int | None
    decided_within_target: float | None
    cost_per_transaction: int | None
    satisfaction: float | None
    trust: float | None
    hard_savings: int
    soft_savings: int
    hard_savings_to_date: int
    soft_savings_to_date: int
    build_cost: int
    roi: float | None
    payback_months: int | None
    payback_projected: bool
    projected_annual_hard_savings: int | None
    projected_annual_soft_savings: int | None


class CountsOut(Schema):
    started: int
    completed: int
    online_completed_all_channels: int
    completed_all_channels: int
    decided: int
    decided_within_target: int
    target_hours: int
    surveys: int
    satisfaction_sum: int
    satisfied: int
    trust_sum: int
    trusting: int
    decision_hours_histogram: dict[str, int]


class ChannelOut(Schema):
    channel: str
    started: int
    completed: int
    costed_transactions: int
    staff_cost: int
    cash_cost: int
    running_cost: int
    total_cost: int
    cost_per_transaction: int | None
    resident_cost_per_transaction: int | None


class SavingsOut(Schema):
    hard_savings: int
    soft_savings: int
    cash_saved: int
    staff_time_saved_hard: int
    staff_time_saved_soft: int
    resident_time_and_travel_saved: int
    digital_running_costs: int
    online_transactions_counted: int
    online_transactions_uncosted: int
    days_live: int


class CostModelOut(Schema):
    channel: str
    effective_from: date
    intake_minutes: float
    intake_role: str
    review_minutes: float
    review_role: str
    issue_minutes: float
    issue_role: str
    paper_cents: int
    postage_cents: int
    printing_cents: int
    payment_fee_cents: int
    resident_minutes: float
    resident_travel_cents: int


class DigitalServiceOut(Schema):
    effective_from: date
    launched_on: date
    build_cost_cents: int
    hosting_monthly_cents: int
    support_monthly_cents: int
    staff_time_redeployed: bool
    resident_hour_value_cents: int


class InputsOut(Schema):
    counts: CountsOut
    channels: list[ChannelOut]
    savings: SavingsOut
    savings_to_date: SavingsOut
    baseline_weights: dict[str, float]
    baseline_from: str
    digital_service: DigitalServiceOut | None
    cost_models: list[CostModelOut]
    staff_rates: dict[str, int | None]
    missing_rates: list[str]


class MonthOut(Schema):
    month: str
    started: int
    completed: int
    completed_by_channel: dict[str, int]
    digital_take_up: float | None
    cost_per_transaction: int | None
    median_hours_to_decision: int | None
    satisfaction: float | None
    hard_savings: int
    soft_savings: int


class PilotTargetOut(Schema):
    target: str
    wanted: str
    actual: str
    met: bool


class PilotOut(Schema):
    service: str
    starts_on: date
    ends_on: date
    verdict: str
    provisional: bool
    targets: list[PilotTargetOut]


class ServiceDetailOut(ServiceKpisOut):
    inputs: InputsOut
    months: list[MonthOut]
    pilots: list[PilotOut]
