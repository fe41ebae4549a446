"""The `.data/serialization_id` record torch.save writes, computed as torch's C++ writer
(PyTorchStreamWriter) computes it, so that a `.pt` written without torch is the same
bytes as torch's own.

The id is 20 digits of a hash over the names of the records written so far, then 20
digits of a hash over their CRC-32s. Both fold with c10::hash_combine. The names come
in the iteration order of the writer's `std::unordered_set<std::string>`, which this
module replays: libstdc++'s string hash (`_Hash_bytes`, MurmurHash2-64 with its seed),
its bucket counts (`_Prime_rehash_policy`) and where each insert and rehash puts a node.
`tests/compiler/test_pt_writer.py` compares the result with torch.save's; loaders only
log the id."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

_MASK = (1 << 64) - 1
_MUL = (0xC6A4A793 << 32) + 0x5BD1E995
_SEED = 0xC70F6907

_SMALL_BUCKETS = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)
"""libstdc++'s bucket count for fewer than 14 elements."""
# fmt: off
_PRIMES = (
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 103, 109, 113, 127,
    137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313, 337, 359, 383, 409, 439, 467, 503, 541,
    577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357,
    2549, 2753, 2971, 3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497, 10273,
    11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267, 28411, 30727, 33223, 35933,
    38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817, 78779, 85229, 92203, 99733, 107897, 116731, 126271,
    136607, 147793, 159871, 172933, 187091, 202409, 218971, 236897, 256279, 277261, 299951, 324503, 351061, 379787,
    410857, 444487, 480881, 520241, 562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369, 1056323,
)
"""libstdc++'s bucket counts (its __prime_list), as far as a state_dict of a million tensors needs."""
# fmt: on


def string_hash(data: bytes) -> int:
    """`std::hash<std::string>` of libstdc++ on a 64-bit machine."""
    size = len(data)
    whole = size & ~7
    value = (_SEED ^ (size * _MUL)) & _MASK
    for at in range(0, whole, 8):
        word = _shift_mix((int.from_bytes(data[at : at + 8], "little") * _MUL) & _MASK)
        value = ((value ^ (word * _MUL & _MASK)) * _MUL) & _MASK
    if size & 7:
        value = ((value ^ int.from_bytes(data[whole:], "little")) * _MUL) & _MASK
    return _shift_mix((_shift_mix(value) * _MUL) & _MASK)


def hash_combine(seed: int, value: int) -> int:
    """c10::hash_combine."""
    return (seed ^ ((value + 0x9E3779B9 + ((seed << 6) & _MASK) + (seed >> 2)) & _MASK)) & _MASK


def serialization_id(names: Iterable[str], crcs: Iterable[int]) -> str:
    """The id of an archive whose records are `names` (in the order written, without the
    archive folder) and whose data descriptors carried `crcs`."""
    name_hash = 0
    for name in _UnorderedSet(names):
        name_hash = hash_combine(name_hash, string_hash(name.encode()))
    crc_hash = 0
    for crc in crcs:
        crc_hash = hash_combine(crc_hash, crc)
    return f"{name_hash:020d}{crc_hash:020d}"


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


class _UnorderedSet:
    """The node order of a libstdc++ `std::unordered_set<std::string>` after these
    inserts: one singly linked list; a node joins the front of its bucket's run, or the
    front of the list when its bucket is empty; a rehash relinks the nodes in list order
    the same way."""

    _HEAD = ""  # the list's before-begin node (no record is named "")

    def __init__(self, names: Iterable[str]) -> None:
        self.buckets_count, self.next_resize, self.count = 1, 0, 0
        self.before: dict[int, str] = {}  # bucket -> the node before its first node
        self.next: dict[str, str | None] = {self._HEAD: None}
        self.code: dict[str, int] = {}
        for name in names:
            self._insert(name)

    def __iter__(self) -> Iterator[str]:
        node = self.next[self._HEAD]
        while node is not None:
            yield node
            node = self.next[node]

    def _next_buckets(self, wanted: int) -> int:
        if wanted < len(_SMALL_BUCKETS):
            self.next_resize = _SMALL_BUCKETS[wanted]
            return _SMALL_BUCKETS[wanted]
        index = min(bisect.bisect_left(_PRIMES, wanted, 6), len(_PRIMES) - 1)
        self.next_resize = _PRIMES[index]
        return _PRIMES[index]

    def _needs_rehash(self) -> int | None:
        """_Prime_rehash_policy::_M_need_rehash for one insert (max load factor 1)."""
        if self.count + 1 <= self.next_resize:
            return None
        least = max(self.count + 1, 0 if self.next_resize else 11)
        if least >= self.buckets_count:
            return self._next_buckets(max(least + 1, self.buckets_count * 2))
        self.next_resize = self.buckets_count
        return None

    def _link_first(self, node: str, bucket: int, before: dict[int, str]) -> None:
        """Put `node` at the front of the list, its bucket (empty so far) led by the head."""
        first = self.next[self._HEAD]
        self.next[node], self.next[self._HEAD] = first, node
        if first is not None:
            before[self.code[first] % self.buckets_count] = node
        before[bucket] = self._HEAD

    def _rehash(self, count: int) -> None:
        node = self.next[self._HEAD]
        self.next[self._HEAD] = None
        before: dict[int, str] = {}
        first_bucket = 0
        while node is not None:
            following = self.next[node]
            bucket = self.code[node] % count
            if bucket not in before:
                self.next[node], self.next[self._HEAD] = self.next[self._HEAD], node
                before[bucket] = self._HEAD
                if self.next[node] is not None:
                    before[first_bucket] = node
                first_bucket = bucket
            else:
                self.next[node], self.next[before[bucket]] = self.next[before[bucket]], node
            node = following
        self.before, self.buckets_count = before, count

    def _insert(self, name: str) -> None:
        if name in self.code:
            return
        self.code[name] = string_hash(name.encode())
        count = self._needs_rehash()
        if count is not None:
            self._rehash(count)
        bucket = self.code[name] % self.buckets_count
        if bucket in self.before:
            ahead = self.before[bucket]
            self.next[name], self.next[ahead] = self.next[ahead], name
        else:
            self._link_first(name, bucket, self.before)
        self.count += 1
