"""Structural repair of damaged FIT files, so the fast decoder can read what survives.

The fast decoder (fitfast) is all or nothing: a bad CRC, a file cut short or one
broken message and it returns nothing. This module walks the FIT stream without
decoding field values, only the record headers and definition messages, which is
enough to know where every message starts and ends. It stops at the first
message that is structurally impossible (an undefined local message type, a
definition with an unknown base type or a size that does not fit it, a message
running past the end of the data) and rebuilds, in memory, a clean FIT stream of
everything before that point, with fresh sizes and CRCs. The input file is never
written to.

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
from dataclasses import dataclass, field

import crcmod.predefined

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
    n_messages: int = 0  #: intact messages (definitions and data)
    #: (offset, byte) repairs to apply in the rebuilt copy
    patches: list[tuple[int, int]] = field(default_factory=list)
    #: problems met while walking that did not stop the walk
    problems: list[str] = field(default_factory=list)


@dataclass
class ScanResult:
    """What :func:`scan` found: the intact sequences and what was wrong."""

    sequences: list[Sequence]
    problems: list[str]
    size: int

    @property
    def n_messages(self) -> int:
        return sum(s.n_messages for s in self.sequences)


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


def _scan_records(buf: bytes, start: int, end: int, seq: Sequence) -> str | None:
    """Walk records from ``start`` to ``end``, advancing ``seq``; return the problem, if any."""
    sizes: dict[int, int] = {}  # local message type -> data message length (incl. header)
    pos = start
    while pos < end:
        hdr = buf[pos]
        if hdr & 0x80:  # compressed timestamp data message
            local = (hdr >> 5) & 0x03
            n = sizes.get(local)
            if n is None:
                return f"data message at offset {pos} uses undefined local message type {local}"
        elif hdr & 0x40:  # definition message
            if hdr & 0x10:
                return f"record header at offset {pos} has a reserved bit set"
            if pos + 6 > end:
                return f"definition message at offset {pos} is cut short"
            arch = buf[pos + 2]
            nfields = buf[pos + 5]
            n = 6 + 3 * nfields
            if arch > 1:
                return f"definition message at offset {pos} has invalid architecture byte {arch}"
            if pos + n > end:
                return f"definition message at offset {pos} is cut short"
            data_len = 1
            for i in range(pos + 6, pos + n, 3):
                # Sizes are what matter for the structure (real writers such as COROS
                # declare sizes that are not a multiple of the type). An unknown base
                # type is a damaged byte: read that field as raw bytes instead.
                if buf[i + 2] not in _BASE_TYPES:
                    seq.patches.append((i + 2, 0x0D))
                    seq.problems.append(
                        f"definition message at offset {pos} has an unknown base type "
                        f"0x{buf[i + 2]:02x}; that field is kept as raw bytes"
                    )
                data_len += buf[i + 1]
            if hdr & 0x20:  # developer fields follow
                seq.has_developer_data = True
                if pos + n + 1 > end:
                    return f"definition message at offset {pos} is cut short"
                ndev = buf[pos + n]
                m = n + 1 + 3 * ndev
                if pos + m > end:
                    return f"definition message at offset {pos} is cut short"
                for i in range(pos + n + 1, pos + m, 3):
                    if buf[i + 1] == 0:
                        return f"definition message at offset {pos} has an empty developer field"
                    data_len += buf[i + 1]
                n = m
            sizes[hdr & 0x0F] = data_len
        else:  # normal data message
            if hdr & 0x30:
                return f"record header at offset {pos} has a reserved bit set"
            local = hdr & 0x0F
            n = sizes.get(local)
            if n is None:
                return f"data message at offset {pos} uses undefined local message type {local}"
        if pos + n > end:
            return f"message at offset {pos} is cut short by the end of the data"
        pos += n
        seq.good_end = pos
        seq.n_messages += 1
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
        body = buf[seq.records_start : seq.good_end]
        if not body:
            continue
        if seq.patches:
            body = bytearray(body)
            for off, value in seq.patches:
                if seq.records_start <= off < seq.good_end:
                    body[off - seq.records_start] = value
            body = bytes(body)
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
        layouts: dict[int, tuple[int, list[tuple[int, int]]]] = {}
        mapping: dict[int, int] = {}
        registered: set[int] = set()
        pos, end = seq.records_start, seq.good_end
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
