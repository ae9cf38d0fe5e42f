#!/usr/bin/env python3
"""Reads envelopes from an iCattle topic with an independent Kafka client (confluent-kafka)
and prints them with their CloudEvents headers; with --check, fails unless each has the seed's
field names and CloudEvents headers that agree with it."""
import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, KafkaException

SEED_FIELDS = {
    "metadata": {"event_id", "event_type", "event_ref", "cattle_id", "occurred_at",
                 "recorded_at", "idempotency_key", "source_system", "schema_version",
                 "sequence"},
    "cryptography": {"payload_hash", "signature", "public_key"},
}


def missing_fields(envelope: dict) -> list:
    missing = []
    for block, fields in SEED_FIELDS.items():
        present = envelope.get(block) or {}
        missing += [f"{block}.{f}" for f in sorted(fields - present.keys())]
    if "payload" not in envelope:
        missing.append("payload")
    return missing


def cloud_event_headers(envelope: dict, key: str) -> dict:
    """The CloudEvents headers (Kafka binding, binary mode) a record of this envelope carries."""
    meta = envelope.get("metadata") or {}
    return {
        "ce_specversion": "1.0",
        "ce_id": meta.get("event_id"),
        "ce_type": meta.get("event_type"),
        "ce_source": f"/icattle/{meta.get('source_system')}",
        "ce_subject": key,
        "ce_time": meta.get("recorded_at"),
        "content-type": "application/json",
    }


def cloud_event_disagreements(envelope: dict, headers: dict, key: str) -> list:
    """Where the record's CloudEvents headers differ from its envelope."""
    return [f"{name}: header {headers.get(name)!r}, envelope {value!r}"
            for name, value in cloud_event_headers(envelope, key).items()
            if headers.get(name) != value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brokers", default="127.0.0.1:19092")
    parser.add_argument("--topic", default="icattle.cattle.events")
    parser.add_argument("--count", type=int, default=10, help="stop after this many")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds without a message")
    parser.add_argument("--check", action="store_true", help="fail on a missing seed field")
    args = parser.parse_args()

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": f"peek-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        # The category topics are written in Kafka transactions: never show aborted copies.
        "isolation.level": "read_committed",
    })
    consumer.subscribe([args.topic])
    seen = 0
    try:
        while seen < args.count:
            message = consumer.poll(args.timeout)
            if message is None:
                break
            if message.error():
                raise KafkaException(message.error())
            envelope = json.loads(message.value())
            headers = {name: (value or b"").decode() for name, value in (message.headers() or [])}
            print(json.dumps({"headers": headers, "envelope": envelope}, indent=2))
            seen += 1
            if args.check and missing_fields(envelope):
                print(f"missing seed fields: {missing_fields(envelope)}", file=sys.stderr)
                return 1
            key = (message.key() or b"").decode()
            if args.check and cloud_event_disagreements(envelope, headers, key):
                print(f"CloudEvents headers disagree with the envelope: "
                      f"{cloud_event_disagreements(envelope, headers, key)}", file=sys.stderr)
                return 1
    finally:
        consumer.close()
    if seen == 0:
        print(f"no message on {args.topic} at {args.brokers}", file=sys.stderr)
        return 1
    checked = " (seed fields and CloudEvents headers checked)" if args.check else ""
    print(f"{seen} envelope(s) read from {args.topic}{checked}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
