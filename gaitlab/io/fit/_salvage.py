"""Structural repair of damaged FIT files, so the fast decoder can read what survives.

The fast decoder (fitfast) is all or nothing: a bad CRC, a file cut short or one
broken message and it returns nothing. This module walks the FIT stream without
decoding field values, only the record headers and definition messages, which is
enough to know where every message starts and ends. At a message that is
structurally impossible (an undefined local message type, a definition with a
reserved bit or a size that does not fit, a message running past the end of
the data) it looks for the first later offset from which the stream reads on
soundly again (:func:`_resync`: a run of well-formed messages with the
definitions known so far, whose timestamps follow the last good one), skips
the damaged bytes in between and walks on; it stops where no such offset
exists. Messages of zero bytes spanning 32 bytes or more (zero fill: storage
that lost a page) are skipped as damage too, and the messages read next to
each damaged stretch are noted as at risk (their values are checked by the
reader). It then rebuilds, in memory, a clean FIT stream of every intact
stretch, with fresh sizes and CRCs. The input file is never written to.

FIT layout (FIT protocol 2.0, "Flexible and Interoperable Data Transfer"):

1. File header: size (12 or 14), protocol version, profile version (uint16 LE),
   data size (uint32 LE), ".FIT", header CRC (uint16 LE, 14-byte headers only).
2. Records: a one-byte record header, then a definition or a data message.
   - bit 7 set: compressed-timestamp data message, local type in bits 5-6;
   - else bit 6 set: definition message (bit 5: has developer fields), local
     type in bits 0-3; else a normal data message, local type in bits 0-3.
3. File CRC (uint16 LE) over header and records. Files may chain several
   header+records+CRC sequences.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field

import crcmod.predefined
import numpy as np

__all__ = ["crc16", "ScanResult", "scan", "rebuild"]

#: FIT's CRC is CRC-16/ARC (poly 0x8005 reflected, init 0); crcmod runs it in C.
crc16 = crcmod.predefined.mkCrcFun("crc-16")

# Base type bytes of the FIT profile ("fit_base_type"); some writers leave the
# endian bit (0x80) off multi-byte types, which decoders accept.
_BASE_TYPES = frozenset(
    b
    for t in (0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x07, 0x88, 0x89, 0x0A,
              0x8B, 0x8C, 0x0D, 0x8E, 0x8F, 0x90)
    for b in (t, t & 0x1F)
)

_SIGNATURE = b".FIT"


@dataclass
class Sequence:
    """One header + records + CRC sequence, as found in the file."""

    start: int  #: offset of the file header
    header_size: int
    protocol: int
    profile: int
    declared_data_size: int
    records_start: int  #: offset of the first record header
    good_end: int  #: offset just after the last intact message
    complete: bool  #: every declared byte was read and the stream was intact there
    crc_ok: bool | None  #: stored file CRC matches (None: no CRC in the file)
    has_developer_data: bool = False
    #: (offset, byte) repairs to apply in the rebuilt copy
    patches: list[tuple[int, int]] = field(default_factory=list)
    #: problems met while walking that did not stop the walk
    problems: list[str] = field(default_factory=list)
    #: damaged stretches skipped by resynchronising: (start, end) offsets
    skipped: list[tuple[int, int]] = field(default_factory=list)
    #: the global message number of every intact message, in order (-1: a definition)
    kinds: array = field(default_factory=lambda: array("l"))
    #: indexes into ``kinds`` of the messages read whole next to damage (before
    #: it, or first after zero fill): the damage may have begun inside them,
    #: leaving their header and times sound
    at_risk: list[int] = field(default_factory=list)
    last_timed: int = -1  #: index into ``kinds`` of the last message with a full timestamp in line
    #: ``last_timed`` when a time out of line was read after it (garbage read as messages)
    timed_before_far: int | None = None
    #: the next message follows a zero-filled stretch: it may begin inside it
    risk_next: bool = False

    @property
    def n_messages(self) -> int:
        """Intact messages (definitions and data)."""
        return len(self.kinds)

    def spans(self) -> list[tuple[int, int]]:
        """The intact stretches of records, (start, end) offsets, in order."""
        out, pos = [], self.records_start
        for a, b in self.skipped:
            out.append((pos, a))
            pos = b
        out.append((pos, self.good_end))
        return [(a, b) for a, b in out if b > a]


@dataclass
class ScanResult:
    """What :func:`scan` found: the intact sequences and what was wrong."""

    sequences: list[Sequence]
    problems: list[str]
    size: int

    @property
    def n_messages(self) -> int:
        return sum(s.n_messages for s in self.sequences)

    def at_risk(self, global_number: int) -> list[int]:
        """Positions, among the rebuilt stream's messages of ``global_number``
        (the order a decoder lists them in), of those read whole next to damage."""
        out, base = [], 0
        for seq in self.sequences:
            hit = np.frombuffer(seq.kinds, dtype=np.dtype(seq.kinds.typecode)) == global_number
            risk = np.asarray(seq.at_risk, dtype=np.int64)
            risk = risk[hit[risk]] if len(risk) else risk
            out += (base + np.cumsum(hit)[risk] - 1).tolist()
            base += int(hit.sum())
        return out


def _read_header(buf: bytes, pos: int) -> tuple[int, int, int, int, list[str]] | None:
    """Read a file header at ``pos``; return (size, protocol, profile, data_size, problems)."""
    problems: list[str] = []
    if len(buf) - pos < 12:
        return None
    size = buf[pos]
    sig_ok = buf[pos + 8 : pos + 12] == _SIGNATURE
    if size not in (12, 14):
        if not sig_ok:
            return None
        # The size byte is damaged but the signature is there: a 14-byte header
        # is the norm since 2012; fall back to 12 when byte 12 cannot start a record.
        size = 14 if len(buf) - pos >= 14 else 12
        problems.append(f"header size byte at offset {pos} is damaged; assumed {size}")
    elif not sig_ok:
        problems.append(f"'.FIT' signature at offset {pos + 8} is damaged")
    if len(buf) - pos < size:
        return None
    protocol = buf[pos + 1]
    profile, data_size = struct.unpack_from("<HI", buf, pos + 2)
    if size == 14:
        stored = struct.unpack_from("<H", buf, pos + 12)[0]
        if stored not in (0, crc16(buf[pos : pos + 12])):
            problems.append(f"header CRC at offset {pos + 12} does not match")
    return size, protocol, profile, data_size, problems


#: FIT timestamps are seconds since 1989-12-31 UTC; field 253 of any message.
_TIMESTAMP_FIELD = 253
#: Resynchronising: the messages that must read soundly from a candidate offset
#: (fewer when the data ends first), and how far their timestamps may lie from
#: the last good one, s: a week either way (device_info and event messages are
#: not always in time order with the records; random bytes land in a two-week
#: window of FIT's 136-year range once in 3,500).
_RESYNC_MESSAGES = 12
_RESYNC_WINDOW_S = 7 * 86400
#: ... and how far a compressed-timestamp header may step (it holds the low 5
#: bits of the time; records come every 1-8 s), s.
_RESYNC_COMPRESSED_STEP_S = 8
#: Suspect times in a row (:attr:`_Walk.suspect`) that make a walk look for
#: where the stream shifted (:func:`_scan_records`).
_SUSPECT_STREAK = 4
#: Timestamps below this are seconds of a device's own clock, not UTC (FIT profile).
_MIN_UTC_TIMESTAMP = 0x10000000


@dataclass
class _Walk:
    """What a walk knows: per local message type the data message's length
    (header included) and where its timestamp is (offset, big-endian), the
    last timestamp read, and whether compressed-timestamp headers occur."""

    sizes: dict[int, int] = field(default_factory=dict)
    kinds: dict[int, int] = field(default_factory=dict)  #: local type -> global message number
    stamps: dict[int, tuple[int, bool] | None] = field(default_factory=dict)
    last_ts: int | None = None
    compressed: bool = False
    n_stamps: int = 0  #: timestamps read
    #: the last few UTC timestamps: their median is the time a resync must
    #: match (one garbage message read just before the damage cannot move it)
    recent_ts: list[int] = field(default_factory=list)
    #: times in a row that look wrong: far off the recent ones, or compressed
    #: ones that do not move on (bytes of a shifted stream passing for messages)
    suspect: int = 0

    def copy(self) -> _Walk:
        """A snapshot (cheap: the dicts and the list are replaced, never changed in place)."""
        return _Walk(self.sizes, self.kinds, self.stamps, self.last_ts, self.compressed, self.n_stamps, self.recent_ts,
                     self.suspect)

    def stamp(self, ts: int, far: bool = False) -> None:
        """Read a time; one far off the recent ones does not join them (garbage
        read as messages must not move the reference; a clock that really
        jumped is taken up by :func:`_scan_records`)."""
        self.last_ts = ts
        self.n_stamps += 1
        if not far:
            self.recent_ts = [*self.recent_ts[-8:], ts]

    def far_off(self, ts: int) -> bool:
        """Is ``ts`` more than the resync window from the recent times?"""
        return bool(self.recent_ts) and abs(ts - sorted(self.recent_ts)[len(self.recent_ts) // 2]) > _RESYNC_WINDOW_S


def _message(buf: bytes, pos: int, end: int, walk: _Walk, seq: Sequence | None) -> tuple[int, str | None]:
    """Length of the message at ``pos`` (0 with the problem when it cannot be
    one), updating ``walk`` with a definition or a timestamp. ``seq`` None:
    a trial walk (:func:`_resync`), stricter and without side effects."""
    hdr = buf[pos]
    if hdr & 0x80:  # compressed timestamp data message
        local = (hdr >> 5) & 0x03
        n = walk.sizes.get(local)
        if n is None or (seq is None and not walk.compressed):
            return 0, f"data message at offset {pos} uses undefined local message type {local}"
        walk.compressed = True
        if walk.last_ts is not None:  # the header holds the time's low 5 bits (FIT rule for rollover)
            delta = ((hdr & 0x1F) - (walk.last_ts & 0x1F)) % 32
            if seq is None and delta > _RESYNC_COMPRESSED_STEP_S:
                return 0, "timestamp out of line"
            far = walk.far_off(walk.last_ts + delta)
            walk.suspect = walk.suspect + 1 if delta == 0 or far else 0
            walk.stamp(walk.last_ts + delta, far)
    elif hdr & 0x40:  # definition message
        if hdr & 0x10:
            return 0, f"record header at offset {pos} has a reserved bit set"
        if seq is None and pos + 1 < end and buf[pos + 1]:  # the definition's reserved byte
            return 0, "reserved byte set"
        if pos + 6 > end:
            return 0, f"definition message at offset {pos} is cut short"
        arch = buf[pos + 2]
        nfields = buf[pos + 5]
        n = 6 + 3 * nfields
        if arch > 1:
            return 0, f"definition message at offset {pos} has invalid architecture byte {arch}"
        if pos + n > end:
            return 0, f"definition message at offset {pos} is cut short"
        data_len, stamp = 1, None
        for i in range(pos + 6, pos + n, 3):
            # Sizes are what matter for the structure (real writers such as COROS
            # declare sizes that are not a multiple of the type). An unknown base
            # type is a damaged byte: read that field as raw bytes instead.
            if buf[i + 2] not in _BASE_TYPES:
                if seq is None:
                    return 0, "unknown base type"
                seq.patches.append((i + 2, 0x0D))
                seq.problems.append(
                    f"definition message at offset {pos} has an unknown base type "
                    f"0x{buf[i + 2]:02x}; that field is kept as raw bytes"
                )
            if buf[i + 1] == 0:  # no field has size 0 (and the fast decoder divides by it)
                return 0, f"definition message at offset {pos} has a field of size 0"
            if buf[i] == _TIMESTAMP_FIELD and buf[i + 1] == 4:
                stamp = (data_len, arch == 1)
            data_len += buf[i + 1]
        if hdr & 0x20:  # developer fields follow
            if seq is not None:
                seq.has_developer_data = True
            if pos + n + 1 > end:
                return 0, f"definition message at offset {pos} is cut short"
            ndev = buf[pos + n]
            m = n + 1 + 3 * ndev
            if pos + m > end:
                return 0, f"definition message at offset {pos} is cut short"
            for i in range(pos + n + 1, pos + m, 3):
                if buf[i + 1] == 0:
                    return 0, f"definition message at offset {pos} has an empty developer field"
                data_len += buf[i + 1]
            n = m
        walk.sizes = {**walk.sizes, hdr & 0x0F: data_len}  # replaced, not changed: snapshots share it
        walk.kinds = {**walk.kinds, hdr & 0x0F: int.from_bytes(buf[pos + 3 : pos + 5], "big" if arch else "little")}
        walk.stamps = {**walk.stamps, hdr & 0x0F: stamp}
        return n, None
    else:  # normal data message
        if hdr & 0x30:
            return 0, f"record header at offset {pos} has a reserved bit set"
        local = hdr & 0x0F
        n = walk.sizes.get(local)
        if n is None:
            return 0, f"data message at offset {pos} uses undefined local message type {local}"
        stamp = walk.stamps.get(local)
        if stamp is not None and pos + n <= end:
            off, big = stamp
            ts = int.from_bytes(buf[pos + off : pos + off + 4], "big" if big else "little")
            if _MIN_UTC_TIMESTAMP <= ts != 0xFFFFFFFF:
                far = walk.far_off(ts)
                if seq is None and far:
                    return 0, "timestamp out of line"
                walk.suspect = walk.suspect + 1 if far else 0
                walk.stamp(ts, far)
    if pos + n > end:
        return 0, f"message at offset {pos} is cut short by the end of the data"
    return n, None


def _resync(buf: bytes, pos: int, end: int, walk: _Walk, last: int | None = None,
            avoid: frozenset[int] = frozenset()) -> int | None:
    """The first offset after ``pos`` (up to ``last``) from which the stream reads on soundly:
    :data:`_RESYNC_MESSAGES` well-formed messages (or all up to ``end``, at
    least three) with the definitions known so far, every timestamp within a
    week of the last good one (a compressed-timestamp header at most 8 s on)
    and at least two timestamps among them when the stream had times before
    (random bytes pass that by chance about never). None when there is no
    such offset, and never one of ``avoid`` (where the walk found messages)."""
    for q in range(pos + 1, end if last is None else min(last + 1, end)):
        if q in avoid:
            continue
        hdr = buf[q]
        if not hdr & 0x40 and (walk.sizes.get((hdr >> 5) & 0x03 if hdr & 0x80 else hdr & 0x0F) is None
                               or (hdr & 0x80 and not walk.compressed) or (not hdr & 0x80 and hdr & 0x30)):
            continue  # quick reject: a data message of an unknown type
        trial, p, count = walk.copy(), q, 0
        while count < _RESYNC_MESSAGES and p < end:
            n, problem = _message(buf, p, end, trial, None)
            if problem:
                break
            p += n
            count += 1
        else:
            if walk.n_stamps:  # the stream had times: they must go on
                if trial.n_stamps - walk.n_stamps >= 2:
                    return q
            elif count == _RESYNC_MESSAGES or count >= 3 and p == end:
                return q
    return None


#: Data messages of zero bytes (header 0 too) over at least this many bytes are
#: a zero-filled stretch (storage that lost its page), not data: skipped.
_ZERO_FILL_BYTES = 32

#: Damage is met some messages after it begins: bytes of a shifted stream can
#: pass for a message or two, zeroed bytes for many messages without a time,
#: random bytes for messages with times out of line. At risk are the last 3
#: messages read, back to the last one with a time in line before any out of
#: line (at most 64).
_AT_RISK_MESSAGES, _AT_RISK_MAX = 3, 64


def _mark_at_risk(seq: Sequence) -> None:
    """The last messages read before damage may hold its first bytes: note them."""
    n = len(seq.kinds)
    first = min(seq.last_timed, n - _AT_RISK_MESSAGES)
    if seq.timed_before_far is not None:
        first = min(first, seq.timed_before_far)
    first = max(first, n - _AT_RISK_MAX, seq.at_risk[-1] + 1 if seq.at_risk else 0)
    seq.at_risk += [i for i in range(first, n) if seq.kinds[i] >= 0]
    seq.timed_before_far = None


def _scan_records(buf: bytes, start: int, end: int, seq: Sequence) -> str | None:
    """Walk records from ``start`` to ``end``, advancing ``seq`` (skipping
    damaged stretches, see :func:`_resync`); return the problem that stopped
    the walk, if any."""
    walk = _Walk()
    pos = start
    recent: list[tuple[int, _Walk]] = []  # the last messages read: offset, what was known before
    streak: tuple[int, _Walk, int, list[int]] | None = None  # where suspect times began, the messages since
    zeros: tuple[int, int] | None = None  # where messages of zero bytes began: offset, message index

    def skip_zeros(upto: int) -> None:
        """Skip the messages of zero bytes from ``zeros`` to ``upto`` if they are fill."""
        nonlocal zeros
        if zeros is not None and upto - zeros[0] >= _ZERO_FILL_BYTES:
            seq.problems.append(f"{upto - zeros[0]} bytes of zeros at offset {zeros[0]} (a zero-filled stretch, "
                                f"not data): skipped, read on from offset {upto}")
            seq.skipped.append((zeros[0], upto))
            del seq.kinds[zeros[1]:]
            _mark_at_risk(seq)
            seq.risk_next = True
        zeros = None

    while pos < end:
        before = walk.copy()
        n, problem = _message(buf, pos, end, walk, seq)
        if problem or (zeros is not None and (buf[pos] or buf.count(0, pos, pos + n) < n)):
            if zeros is not None and zeros[0] + _ZERO_FILL_BYTES <= pos:
                recent = []  # not read on from inside the fill
            skip_zeros(pos)
        if problem:
            if "end of the data" in problem:
                return problem
            streak = None  # whatever follows is judged afresh
            # The damage may be in a message already read (a definition whose
            # size swallowed what followed): first try to read on from inside
            # the last few messages, as if they were the damaged ones.
            for back, (start_b, walk_b) in enumerate(reversed(recent), 1):
                q = _resync(buf, start_b, end, walk_b, last=pos)
                if q is not None:
                    seq.problems.append(f"{problem}: the {back} message(s) from offset {start_b} were damaged; "
                                        f"skipped {q - start_b} bytes, read on from offset {q}")
                    seq.skipped.append((start_b, q))
                    del seq.kinds[len(seq.kinds) - back:]
                    _mark_at_risk(seq)
                    seq.good_end, pos, walk, recent = start_b, q, walk_b, []
                    break
            else:
                q = _resync(buf, pos, end, before)
                _mark_at_risk(seq)
                if q is None:
                    return problem
                seq.problems.append(f"{problem}: skipped {q - pos} damaged bytes, read on from offset {q}")
                seq.skipped.append((pos, q))
                pos, walk = q, before
            continue
        if walk.suspect == 1 and before.suspect == 0:
            streak = (pos, before, seq.n_messages, [])
        elif walk.suspect == 0:
            streak = None
        if streak is not None and len(streak[3]) < 64:
            streak[3].append(pos)
        recent = [*recent[-2:], (pos, before)]
        hdr = buf[pos]
        if zeros is None and not hdr and buf.count(0, pos, pos + n) == n:
            zeros = (pos, len(seq.kinds))
        if walk.suspect > before.suspect:  # a time out of line (or stuck)
            if seq.timed_before_far is None or len(seq.kinds) - seq.timed_before_far > _AT_RISK_MAX:
                seq.timed_before_far = seq.last_timed
        elif walk.n_stamps > before.n_stamps and not hdr & 0x80:
            # a compressed header's time always follows on (any byte of 0x80 and
            # up passes for one): only a full timestamp in line vouches for a message
            seq.last_timed = len(seq.kinds)
        seq.kinds.append(-1 if hdr & 0xC0 == 0x40 else walk.kinds.get(hdr & 0x0F if hdr < 0x80 else (hdr >> 5) & 3, -1))
        if seq.risk_next:
            if seq.kinds[-1] >= 0:
                seq.at_risk.append(len(seq.kinds) - 1)
            seq.risk_next = False
        pos += n
        seq.good_end = pos
        if walk.suspect == _SUSPECT_STREAK and streak is not None:
            # Several times in a row far off the recent ones, or stuck: either
            # the clock jumped (kept), or damage shifted the stream onto bytes
            # that pass for messages (a field of 0xFF read as a compressed
            # header, over and over); then the true stream is found again,
            # off the boundaries the walk found
            start_f, walk_f, n_f, seen = streak
            # a shifted stream is back in line within a message or two; a
            # bounded search keeps a clock that jumped cheap
            q = _resync(buf, start_f, end, walk_f, last=start_f + 4096, avoid=frozenset(seen))
            if q is not None:
                seq.problems.append(
                    f"messages from offset {start_f} have times out of line with the rest (the stream shifted by "
                    f"damage): skipped {q - start_f} bytes, read on from offset {q}")
                seq.skipped.append((start_f, q))
                seq.good_end, pos, walk, recent, streak = start_f, q, walk_f, [], None
                del seq.kinds[n_f:]
                _mark_at_risk(seq)
                zeros = None
            elif walk.last_ts is not None:  # the clock jumped: its new time is the reference from now on
                walk.recent_ts, walk.suspect, streak = [walk.last_ts], 0, None
    skip_zeros(pos)
    return None


def scan(buf: bytes) -> ScanResult:
    """Find every intact FIT sequence and message in ``buf``.

    Parameters
    ----------
    buf
        The whole file's bytes.

    Returns
    -------
    ScanResult
        Sequences with the extent of their intact messages, and a list of
        problems in words (empty for a sound file).
    """
    problems: list[str] = []
    sequences: list[Sequence] = []
    pos = 0
    total = len(buf)
    while pos < total:
        head = _read_header(buf, pos)
        if head is None:
            if not sequences:
                break
            # Trailing bytes after the last sequence: padding or a damaged next header.
            if any(buf[pos:]):
                problems.append(
                    f"{total - pos} bytes after offset {pos} are not a FIT sequence; ignored"
                )
            break
        hsize, protocol, profile, data_size, hprob = head
        problems += hprob
        rstart = pos + hsize
        declared_end = rstart + data_size
        seq = Sequence(pos, hsize, protocol, profile, data_size, rstart, rstart, False, None)
        if data_size == 0 or declared_end > total:
            # Unfinished (data size never written) or cut short: read what is there.
            end = total
            problems.append(
                "the file ends before its declared data size "
                f"({data_size} bytes from offset {rstart})"
                if data_size
                else "the header declares no data size (file not finalised)"
            )
        else:
            end = declared_end
        problem = _scan_records(buf, rstart, end, seq)
        if problem and end == declared_end < total and "cut short" in problem:
            # A message runs past the declared end: the size in the header is
            # wrong (damaged) unless a new sequence starts there. Walk to the end.
            if _read_header(buf, declared_end + 2) is None:
                retry = Sequence(pos, hsize, protocol, profile, data_size, rstart, rstart, False, None)
                retry_problem = _scan_records(buf, rstart, total, retry)
                if retry.n_messages > seq.n_messages:
                    problems.append(
                        f"the header's data size ({data_size} bytes) is wrong; read on to the end"
                    )
                    seq, problem, end = retry, retry_problem, total
        problems += seq.problems
        if problem:
            problems.append(problem)
        sequences.append(seq)
        if problem or end != declared_end:
            break  # nothing after structural damage can be trusted to line up
        seq.complete = True
        if declared_end + 2 <= total:
            stored = struct.unpack_from("<H", buf, declared_end)[0]
            seq.crc_ok = stored == crc16(buf[pos:declared_end])
            if not seq.crc_ok:
                problems.append(f"file CRC at offset {declared_end} does not match the data")
            pos = declared_end + 2
        else:
            problems.append(f"the file CRC after offset {declared_end} is missing")
            break
    return ScanResult(sequences, problems, total)


def rebuild(buf: bytes, result: ScanResult) -> bytes:
    """Write a clean FIT stream of the intact messages found by :func:`scan`.

    Each sequence gets a fresh 14-byte header with the right data size and CRC,
    its intact messages (a trailing definition with no data is kept: harmless),
    and a fresh file CRC.
    """
    out = bytearray()
    for seq in result.sequences:
        spans = seq.spans()
        patches = dict(seq.patches)
        parts = []
        for a, b in spans:
            part = bytearray(buf[a:b])
            for off, value in patches.items():
                if a <= off < b:
                    part[off - a] = value
            parts.append(bytes(part))
        body = b"".join(parts)
        if not body:
            continue
        protocol = seq.protocol if seq.protocol in (0x10, 0x20) else 0x20
        if seq.has_developer_data:
            protocol = 0x20
        header = struct.pack("<BBHI4s", 14, protocol, seq.profile, len(body), _SIGNATURE)
        header += struct.pack("<H", crc16(header))
        chunk = header + body
        out += chunk + struct.pack("<H", crc16(chunk))
    return bytes(out)


_DEVELOPER_DATA_ID, _FIELD_DESCRIPTION = 207, 206


def remap_developer_indexes(buf: bytes, result: ScanResult) -> int:
    """Give every ``developer_data_id`` its own developer data index, by patching bytes.

    Multisport files switch Connect IQ apps between legs and may register the new
    app under an index already used (a bike app's ``wprime_bal`` as field 0 of
    index 0, then Stryd's ``Power`` as field 0 of index 0). Decoders that key
    developer fields by (index, number) then read one app's values with the
    other's type. Each re-registration is moved to a fresh index (counting down
    from 254), in the ``developer_data_id`` message, the ``field_description``
    messages and the definition messages that follow it. The patches go into
    ``result``'s sequences for :func:`rebuild`; the input is not touched.

    Returns
    -------
    int
        How many re-registrations were moved.
    """
    moved = 0
    fresh = 254
    for seq in result.sequences:
        layouts: dict[int, tuple[int, list[tuple[int, int]], int]] = {}
        mapping: dict[int, int] = {}
        registered: set[int] = set()
        for pos, end in seq.spans():  # the stretches around skipped damage, state carried over
            while pos < end:
                hdr = buf[pos]
                if not hdr & 0x80 and hdr & 0x40:  # definition
                    arch, nf = buf[pos + 2], buf[pos + 5]
                    gnum = int.from_bytes(buf[pos + 3 : pos + 5], "big" if arch else "little")
                    fields = [(buf[i], buf[i + 1]) for i in range(pos + 6, pos + 6 + 3 * nf, 3)]
                    n = 6 + 3 * nf
                    size = 1 + sum(s for _, s in fields)
                    if hdr & 0x20:
                        nd = buf[pos + n]
                        for i in range(pos + n + 1, pos + n + 1 + 3 * nd, 3):
                            size += buf[i + 1]
                            if buf[i + 2] in mapping and mapping[buf[i + 2]] != buf[i + 2]:
                                seq.patches.append((i + 2, mapping[buf[i + 2]]))
                        n += 1 + 3 * nd
                    layouts[hdr & 0x0F] = (gnum, fields, size)
                    pos += n
                    continue
                gnum, fields, size = layouts[(hdr >> 5) & 0x03 if hdr & 0x80 else hdr & 0x0F]
                target = {_DEVELOPER_DATA_ID: 3, _FIELD_DESCRIPTION: 0}.get(gnum)
                if target is not None:
                    off = pos + 1
                    for num, fsize in fields:
                        if num == target:
                            break
                        off += fsize
                    else:
                        off = None
                    if off is not None:
                        index = buf[off]
                        if gnum == _DEVELOPER_DATA_ID:
                            if index in registered:
                                mapping[index] = fresh
                                fresh -= 1
                                moved += 1
                            else:
                                mapping[index] = index
                            registered.add(index)
                        new = mapping.get(index, index)
                        if new != index:
                            seq.patches.append((off, new))
                pos += size
    return moved
