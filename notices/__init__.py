"""Notices of 督办 alerts (issue [11]): the channels of config/alerts.toml (DingTalk
and WeCom group robots, e-mail over SMTP) and the outbox that sends each alert level
of an incident to each channel once (`cockpit alerts send`, docs/alerts.md)."""
