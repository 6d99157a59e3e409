"""Node ⇄ hub sync: outbox, wire format, signing, anonymization, client, receiver and feed."""
