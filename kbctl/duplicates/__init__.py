"""Near-duplicate articles (``kbctl duplicates``, rule KB408): word shingles of the stemmed
body text, MinHash signatures and locality-sensitive hashing (datasketch), so that no pair of
articles is compared unless their signatures already collide.

Layer 2 (beside policy and rules): pure functions of the articles; never prints.
"""

from kbctl.duplicates.cache import Signature, SignatureCache
from kbctl.duplicates.detect import (
    DuplicateGroup,
    DuplicatePair,
    Fingerprint,
    Passage,
    find_duplicates,
    find_duplicates_cached,
    fingerprint,
    inbound_links,
    keeper_order,
    signatures,
    similar_to,
)

__all__ = [
    "DuplicateGroup",
    "DuplicatePair",
    "Fingerprint",
    "Passage",
    "Signature",
    "SignatureCache",
    "find_duplicates",
    "find_duplicates_cached",
    "fingerprint",
    "inbound_links",
    "keeper_order",
    "signatures",
    "similar_to",
]
