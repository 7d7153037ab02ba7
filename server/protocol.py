"""The wire protocol: every message both ways, its limits, and msgpack encoding.

Pure: no I/O. Client frames hold one message (a msgpack map); server frames hold a msgpack
array of one or more messages, so that messages queued for one client travel in one frame.
``docs/protocol.md`` explains the exchange; ``frontend/js/protocol.gen.js`` is generated from
this module by ``python -m server.protocol_js``.
"""

from __future__ import annotations

import unicodedata
from enum import IntEnum
from typing import Annotated, Any, Literal

import msgpack
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from server import points as point_codec


class Limits:
    """Bounds of every field; the browser receives the same numbers."""

    MAX_FRAME_BYTES = 512 * 1024
    MAX_STROKE_POINTS = 10_000
    MAX_LIVE_POINTS = 1_000
    MAX_ERASE_TARGETS = 1_000
    MAX_COORDINATE = 10_000_000.0
    # Points travel as integers: x and y in 1/COORDINATE_SCALE of a board unit, pressure in
    # 1/PRESSURE_SCALE (server/points.py).
    COORDINATE_SCALE = point_codec.COORDINATE_SCALE
    PRESSURE_SCALE = point_codec.PRESSURE_SCALE
    POINT_FORMAT = point_codec.FORMAT
    MIN_WIDTH = 0.5
    MAX_WIDTH = 200.0
    MAX_NAME_CHARS = 40
    MAX_TITLE_CHARS = 100
    MAX_TEXT_CHARS = 2_000
    MIN_TEXT_SIZE = 4.0
    MAX_TEXT_SIZE = 400.0
    MIN_ID_CHARS = 8
    # A transform's scale and shear terms: generous, and far from what floats cannot hold.
    MAX_MATRIX_TERM = 1_000.0
    # Below this a transform would flatten an object to nothing (and cannot be undone by eye).
    MIN_MATRIX_DETERMINANT = 1e-6
    MAX_ID_CHARS = 64
    # An image's place on the board: its width and height in board units.
    MIN_IMAGE_SIZE = 1.0
    MAX_IMAGE_SIZE = 1_000_000.0


class CloseCode(IntEnum):
    """Close codes the server sends. 4000-4999 are inkroom's own."""

    NORMAL = 1000
    GOING_AWAY = 1001
    UNSUPPORTED_DATA = 1003
    INVALID_PAYLOAD = 1007
    POLICY = 1008
    TOO_BIG = 1009
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    JOIN_TIMEOUT = 4001
    FELL_BEHIND = 4002
    KICKED = 4003
    IDLE = 4008
    LINK_REQUIRED = 4403
    BOARD_NOT_FOUND = 4404
    BOARD_DELETED = 4410
    RATE_LIMITED = 4429
    TOO_MANY_CONNECTIONS = 4430
    OUTDATED_CLIENT = 4426


class ErrorCode:
    """Codes carried by the ``error`` message."""

    INVALID_MESSAGE = "invalid_message"
    NOT_JOINED = "not_joined"
    ALREADY_JOINED = "already_joined"
    FORBIDDEN = "forbidden"
    UNKNOWN_TARGET = "unknown_target"
    DUPLICATE_ID = "duplicate_id"
    STORAGE_UNAVAILABLE = "storage_unavailable"
    READ_ONLY = "read_only"
    RATE_LIMITED = "rate_limited"
    BOARD_FULL = "board_full"
    UNKNOWN_IMAGE = "unknown_image"


ID_PATTERN = r"^[A-Za-z0-9_-]+$"
Role = Literal["viewer", "editor", "owner"]
# Text may hold line breaks and tabs, but no other control character (none survives in SVG).
TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]*$"
TITLE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\ufffe\uffff]*$"
# What a board is called until someone names it (the share dialog then offers to name it).
DEFAULT_TITLE = "Untitled board"
COLOR_PATTERN = r"^#[0-9a-fA-F]{6}$"
# The colors people on a board are told apart by: a page makes up its first one from these, and
# a newcomer whose color someone else on the board has is given one of these instead.
PERSON_COLORS = (
    "#e03131",
    "#2f9e44",
    "#1971c2",
    "#f08c00",
    "#9c36b5",
    "#0c8599",
    "#c2255c",
    "#5f3dc4",
)
# An image's content hash: the SHA-256 of the file the board keeps, in lowercase hex.
IMAGE_HASH_PATTERN = r"^[0-9a-f]{64}$"

Id = Annotated[
    str, Field(min_length=Limits.MIN_ID_CHARS, max_length=Limits.MAX_ID_CHARS, pattern=ID_PATTERN)
]
Color = Annotated[str, Field(pattern=COLOR_PATTERN)]
# Names are shown to everyone: no control characters, no leading or trailing blanks.
# Bidi controls reorder the text around them ("\u202eevil" shows as "live"); noncharacters are
# not text; and a name must show something (zero-width characters and fillers show nothing).
_REORDERING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BLANK_LOOKING = frozenset("\u115f\u1160\u2800\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset(("Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me"))


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _shows_in_order(name: str) -> str:
    if any(c in _REORDERING or _noncharacter(c) for c in name):
        raise ValueError("a name may not hold bidi controls or noncharacters")
    if all(c in _BLANK_LOOKING or unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in name):
        raise ValueError("a name must show at least one visible character")
    return name


Name = Annotated[
    str,
    AfterValidator(_shows_in_order),
    Field(
        min_length=1,
        max_length=Limits.MAX_NAME_CHARS,
        pattern=r"^[^\s\x00-\x1f\x7f-\x9f]([^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$",
    ),
]
Coordinate = Annotated[
    float, Field(ge=-Limits.MAX_COORDINATE, le=Limits.MAX_COORDINATE, allow_inf_nan=False)
]
Width = Annotated[float, Field(ge=Limits.MIN_WIDTH, le=Limits.MAX_WIDTH, allow_inf_nan=False)]
Seq = Annotated[int, Field(ge=0, lt=2**53)]
PeerId = Annotated[int, Field(ge=1, lt=2**53)]
# What a client says it holds: any integer msgpack carries (a number past the head means "send
# everything").
LastSeq = Annotated[int, Field(ge=0, lt=2**64)]


# The board's state hash: 32-bit FNV-1a over "seq:author:kind:id\n" of every operation in order
# (ids, authors and kinds are ASCII). The reducers are deterministic, so the same operations in
# the same order are the same board; ``check`` messages carry it (docs/protocol.md).
EMPTY_STATE_HASH = 2166136261
_FNV_PRIME = 16777619


def next_state_hash(previous: int, seq: int, author: str, kind: str, op_id: str) -> int:
    value = previous
    for byte in f"{seq}:{author}:{kind}:{op_id}\n".encode("ascii"):
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


class ProtocolError(Exception):
    """A frame that is not a valid message of this protocol."""


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _points_within(max_points: int) -> AfterValidator:
    def check(data: bytes) -> bytes:
        point_codec.check(data, max_points, Limits.MAX_COORDINATE)
        return data

    return AfterValidator(check)


# A stroke's points: 1 to max points, compact bytes (msgpack bin) made by ``server.points``.
# The byte bound refuses an oversized value before it is decoded.
StrokePoints = Annotated[
    bytes,
    Field(min_length=1, max_length=3 * point_codec.MAX_VARINT_BYTES * Limits.MAX_STROKE_POINTS),
    _points_within(Limits.MAX_STROKE_POINTS),
]
LivePoints = Annotated[
    bytes,
    Field(min_length=1, max_length=3 * point_codec.MAX_VARINT_BYTES * Limits.MAX_LIVE_POINTS),
    _points_within(Limits.MAX_LIVE_POINTS),
]


# Operations: committed to the board's history, each with a client-generated id. An object
# created by an operation (a stroke) takes the operation's id as its own.


class StrokeOp(Message):
    """Freehand ink; a highlighter stroke is drawn translucent, under the pen's ink."""

    kind: Literal["stroke"]
    id: Id
    tool: Literal["pen", "highlighter"] = "pen"
    color: Color
    width: Width
    points: StrokePoints


class EraseOp(Message):
    kind: Literal["erase"]
    id: Id
    targets: Annotated[list[Id], Field(min_length=1, max_length=Limits.MAX_ERASE_TARGETS)]


class UndoOp(Message):
    """Withdraws the effect of one of the sender's own earlier operations."""

    kind: Literal["undo"]
    id: Id
    target: Id


class RedoOp(Message):
    """Restores the effect of one of the sender's own undone operations."""

    kind: Literal["redo"]
    id: Id
    target: Id


class ClearOp(Message):
    """Removes every object the board holds at this point of its history."""

    kind: Literal["clear"]
    id: Id


ShapeKind = Literal["line", "arrow", "rect", "ellipse"]


class ShapeOp(Message):
    """A line, arrow, rectangle or ellipse spanning (x1, y1)-(x2, y2); ``fill`` is optional."""

    kind: Literal["shape"]
    id: Id
    shape: ShapeKind
    x1: Coordinate
    y1: Coordinate
    x2: Coordinate
    y2: Coordinate
    color: Color
    width: Width
    fill: Color | None = None


Text = Annotated[str, Field(min_length=1, max_length=Limits.MAX_TEXT_CHARS, pattern=TEXT_PATTERN)]
TextSize = Annotated[
    float, Field(ge=Limits.MIN_TEXT_SIZE, le=Limits.MAX_TEXT_SIZE, allow_inf_nan=False)
]


class TextOp(Message):
    """A text block whose top-left corner is at (x, y); ``size`` is the font size."""

    kind: Literal["text"]
    id: Id
    x: Coordinate
    y: Coordinate
    text: Text
    size: TextSize
    color: Color


class EditOp(Message):
    """Replaces the words of the text ``object``; the newest active edit of a text wins."""

    kind: Literal["edit"]
    id: Id
    object: Id
    text: Text


class MoveOp(Message):
    """Moves objects by (dx, dy); the moves of an object add up."""

    kind: Literal["move"]
    id: Id
    targets: Annotated[list[Id], Field(min_length=1, max_length=Limits.MAX_ERASE_TARGETS)]
    dx: Coordinate
    dy: Coordinate


Targets = Annotated[list[Id], Field(min_length=1, max_length=Limits.MAX_ERASE_TARGETS)]
_MatrixNumber = Annotated[
    float, Field(ge=-Limits.MAX_COORDINATE, le=Limits.MAX_COORDINATE, allow_inf_nan=False)
]


def _invertible(matrix: list[float]) -> list[float]:
    a, b, c, d = matrix[:4]
    if max(abs(a), abs(b), abs(c), abs(d)) > Limits.MAX_MATRIX_TERM:
        raise ValueError(f"a transform scales at most {Limits.MAX_MATRIX_TERM:g} times")
    if abs(a * d - b * c) < Limits.MIN_MATRIX_DETERMINANT:
        raise ValueError("a transform may not flatten objects (its determinant is near 0)")
    return matrix


# [a, b, c, d, e, f] as in canvas and SVG: a point (x, y) goes to (a x + c y + e, b x + d y + f).
Matrix = Annotated[
    list[_MatrixNumber], Field(min_length=6, max_length=6), AfterValidator(_invertible)
]


class TransformOp(Message):
    """Applies ``matrix`` (in board coordinates) to objects; an object's transforms and moves
    compose in sequence order (docs/protocol.md, "Board state")."""

    kind: Literal["transform"]
    id: Id
    targets: Targets
    matrix: Matrix


class StyleOp(Message):
    """Sets the color, width, fill or font size of objects (each where the object has it);
    ``fill`` "none" takes a shape's fill away. The newest active style that sets a field wins."""

    kind: Literal["style"]
    id: Id
    targets: Targets
    color: Color | None = None
    width: Width | None = None
    fill: Color | Literal["none"] | None = None
    size: TextSize | None = None

    @model_validator(mode="after")
    def _sets_something(self) -> StyleOp:
        if self.color is None and self.width is None and self.fill is None and self.size is None:
            raise ValueError("a style sets at least one of color, width, fill, size")
        return self


class OrderOp(Message):
    """Brings objects to the front (above everything so far) or sends them to the back."""

    kind: Literal["order"]
    id: Id
    targets: Targets
    to: Literal["front", "back"]


ImageHash = Annotated[str, Field(min_length=64, max_length=64, pattern=IMAGE_HASH_PATTERN)]
ImageSize = Annotated[
    float, Field(ge=Limits.MIN_IMAGE_SIZE, le=Limits.MAX_IMAGE_SIZE, allow_inf_nan=False)
]


class ImageOp(Message):
    """A picture the board holds (uploaded first, named by its ``hash``), drawn with its
    top-left corner at (x, y), ``w`` by ``h`` board units; moves and transforms place it as any
    object."""

    kind: Literal["image"]
    id: Id
    hash: ImageHash
    x: Coordinate
    y: Coordinate
    w: ImageSize
    h: ImageSize


class RestoreOp(Message):
    """The board becomes what it showed after operation ``at``; later operations apply on top
    (docs/protocol.md, "Board state")."""

    kind: Literal["restore"]
    id: Id
    at: Seq


# Every kind but the stroke, whose points an exported document spells out (``server.exports``).
OtherOperation = (
    ShapeOp
    | TextOp
    | ImageOp
    | EditOp
    | MoveOp
    | TransformOp
    | StyleOp
    | OrderOp
    | EraseOp
    | UndoOp
    | RedoOp
    | ClearOp
    | RestoreOp
)
OperationModel = StrokeOp | OtherOperation
Operation = Annotated[OperationModel, Field(discriminator="kind")]
# Operations that create an object (whose id is the operation's id).
CREATING_KINDS = frozenset({"stroke", "shape", "text", "image"})
UNDOABLE_KINDS = frozenset(
    {
        "stroke",
        "shape",
        "text",
        "image",
        "edit",
        "move",
        "transform",
        "style",
        "order",
        "erase",
        "clear",
        "restore",
    }
)


# Client -> server


class Join(Message):
    """First message of every connection; ``last_seq`` is the newest sequence number held."""

    type: Literal["join"]
    user: Id
    name: Name
    color: Color
    last_seq: LastSeq = 0
    # The id of the operation the client holds as ``last_seq``: a copy that does not match the
    # board's (another database, a restored backup) is not resumed but sent again.
    last_op: Id | None = None
    # The client can fetch snapshots over HTTP (docs/protocol.md, "Snapshots").
    snapshot: bool = False
    # A board link's token (docs/security.md); needed on protected boards.
    token: Id | None = None
    # The points encoding the client speaks (server/points.py). A join that does not say it
    # comes from a page made before it was said, which speaks format 1: it is refused
    # (``joined_outdated``) rather than have its points misread.
    point_format: int = Limits.POINT_FORMAT

    def joined_outdated(self) -> bool:
        """The client speaks another points encoding than the server's."""
        said = "point_format" in self.model_fields_set
        return not said or self.point_format != Limits.POINT_FORMAT


class Live(Message):
    """Points of a stroke still being drawn: relayed to the others, never stored."""

    type: Literal["live"]
    stroke: Id
    color: Color
    width: Width
    points: LivePoints


class Typing(Message):
    """A text being typed or edited: relayed to the others, never stored. ``id`` is the id the
    finished ``text`` (or ``edit``) operation will have, ``object`` the text being edited;
    ``ended`` says the typing stopped without an operation (nothing to keep)."""

    type: Literal["typing"]
    id: Id
    object: Id | None = None
    x: Coordinate
    y: Coordinate
    size: TextSize
    color: Color
    text: Annotated[str, Field(max_length=Limits.MAX_TEXT_CHARS, pattern=TEXT_PATTERN)]
    ended: bool = False


class Transforming(Message):
    """A selection being moved, resized or rotated: relayed to the others, never stored.
    ``matrix`` is the whole gesture so far (as the ``transform`` ``id`` will apply it);
    ``ended`` says the gesture stopped (its operation, if any, follows)."""

    type: Literal["transforming"]
    id: Id
    targets: Targets
    matrix: Matrix
    ended: bool = False


class Drafting(Message):
    """A line, arrow, rectangle or ellipse being drawn: relayed to the others, never stored.
    ``id`` is the id its ``shape`` operation will have; ``ended`` says it was given up (no
    operation follows)."""

    type: Literal["drafting"]
    id: Id
    shape: ShapeKind
    x1: Coordinate
    y1: Coordinate
    x2: Coordinate
    y2: Coordinate
    color: Color
    width: Width
    fill: Color | None = None
    ended: bool = False


class Laser(Message):
    """Points of a laser pointer's trail (``id``: one press of the pointer), only the new ones:
    relayed to the others, who fade each point out; never stored."""

    type: Literal["laser"]
    id: Id
    color: Color
    points: LivePoints


class Follow(Message):
    """This client starts (``on``) or stops following the view of ``target``."""

    type: Literal["follow"]
    target: PeerId
    on: bool = True


class Viewport(Message):
    """The board area this client's screen shows: sent while someone follows it."""

    type: Literal["viewport"]
    left: Coordinate
    top: Coordinate
    right: Coordinate
    bottom: Coordinate

    @model_validator(mode="after")
    def _has_area(self) -> Viewport:
        if self.right <= self.left or self.bottom <= self.top:
            raise ValueError("a viewport's right and bottom must be past its left and top")
        return self


class Cursor(Message):
    type: Literal["cursor"]
    x: Coordinate
    y: Coordinate


class Submit(Message):
    type: Literal["op"]
    op: Operation


class Desync(Message):
    """The client's board did not match a ``check``: it is loading the board again."""

    type: Literal["desync"]
    seq: Seq


class Kick(Message):
    """An owner removes a participant from the board."""

    type: Literal["kick"]
    peer: PeerId


ClientMessageModel = (
    Join
    | Live
    | Typing
    | Transforming
    | Drafting
    | Laser
    | Follow
    | Viewport
    | Cursor
    | Submit
    | Kick
    | Desync
)
ClientMessage = Annotated[ClientMessageModel, Field(discriminator="type")]


# Server -> client


class Peer(Message):
    peer: PeerId
    user: Id
    name: Name
    color: Color


class SnapshotPartInfo(Message):
    """One part of a snapshot: part 0 holds the rules, the others objects within ``bounds``
    (left, top, right, bottom of their anchor points)."""

    part: Annotated[int, Field(ge=0)]
    count: Annotated[int, Field(ge=0)]
    bounds: list[float] | None = None


class SnapshotInfo(Message):
    """A snapshot to fetch at ``/api/boards/{board}/snapshots/{seq}/{part}``."""

    seq: Seq
    parts: list[SnapshotPartInfo]


class Welcome(Message):
    type: Literal["welcome"] = "welcome"
    peer: PeerId
    # The color the others see for this connection: the join's, unless someone else on the
    # board has it (server/colors.py).
    color: Color
    board: Id
    title: Annotated[str, Field(max_length=Limits.MAX_TITLE_CHARS)]
    head_seq: Seq
    peers: list[Peer]
    # The role granted to this connection: "viewer", "editor" or "owner". While the board is
    # locked, everyone but owners may only look.
    role: Role
    protected: bool
    locked: bool
    # The replay that follows continues after ``resume``: a client holding anything past it, or
    # anything else, drops its copy first. With ``snapshot``, operations up to ``resume`` come
    # from that snapshot.
    resume: Seq = 0
    snapshot: SnapshotInfo | None = None


class Committed(Message):
    """An operation as stored: sent in sequence order, replayed history first."""

    type: Literal["committed"] = "committed"
    seq: Seq
    author: Id
    op: Operation


class Synced(Message):
    """Replay is complete: everything up to ``head_seq`` has been sent."""

    type: Literal["synced"] = "synced"
    head_seq: Seq


class Ack(Message):
    """The sender's operation ``id`` is stored as ``seq``."""

    type: Literal["ack"] = "ack"
    id: Id
    seq: Seq


class Check(Message):
    """The board's state hash after operation ``seq`` (``next_state_hash``), sent every few
    operations right after that operation's ``committed`` or ``ack``."""

    type: Literal["check"] = "check"
    seq: Seq
    hash: Annotated[int, Field(ge=0, lt=2**32)]


class Presence(Message):
    type: Literal["presence"] = "presence"
    event: Literal["joined", "left"]
    peer: Peer


class PeerLive(Message):
    type: Literal["live"] = "live"
    peer: PeerId
    stroke: Id
    color: Color
    width: Width
    points: LivePoints


class PeerTyping(Message):
    type: Literal["typing"] = "typing"
    peer: PeerId
    id: Id
    object: Id | None = None
    x: Coordinate
    y: Coordinate
    size: TextSize
    color: Color
    text: Annotated[str, Field(max_length=Limits.MAX_TEXT_CHARS, pattern=TEXT_PATTERN)]
    ended: bool = False


class PeerTransforming(Message):
    type: Literal["transforming"] = "transforming"
    peer: PeerId
    id: Id
    targets: Targets
    matrix: Matrix
    ended: bool = False


class PeerDrafting(Message):
    type: Literal["drafting"] = "drafting"
    peer: PeerId
    id: Id
    shape: ShapeKind
    x1: Coordinate
    y1: Coordinate
    x2: Coordinate
    y2: Coordinate
    color: Color
    width: Width
    fill: Color | None = None
    ended: bool = False


class PeerLaser(Message):
    type: Literal["laser"] = "laser"
    peer: PeerId
    id: Id
    color: Color
    points: LivePoints


class PeerFollow(Message):
    type: Literal["follow"] = "follow"
    peer: PeerId
    target: PeerId
    on: bool = True


class PeerViewport(Message):
    type: Literal["viewport"] = "viewport"
    peer: PeerId
    left: Coordinate
    top: Coordinate
    right: Coordinate
    bottom: Coordinate


class PeerCursor(Message):
    type: Literal["cursor"] = "cursor"
    peer: PeerId
    x: Coordinate
    y: Coordinate


class BoardInfo(Message):
    """The board's title changed (or is sent again)."""

    type: Literal["board"] = "board"
    title: Annotated[str, Field(max_length=Limits.MAX_TITLE_CHARS)]
    locked: bool


class Error(Message):
    """A refusal; ``id`` names the refused operation when there is one."""

    type: Literal["error"] = "error"
    code: str
    reason: str
    id: Id | None = None


ServerMessage = Annotated[
    Welcome
    | Committed
    | Synced
    | Ack
    | Check
    | Presence
    | PeerLive
    | PeerTyping
    | PeerTransforming
    | PeerDrafting
    | PeerLaser
    | PeerFollow
    | PeerViewport
    | PeerCursor
    | BoardInfo
    | Error,
    Field(discriminator="type"),
]

client_message_adapter: TypeAdapter[ClientMessageModel] = TypeAdapter(ClientMessage)
server_message_adapter: TypeAdapter[Any] = TypeAdapter(ServerMessage)
operation_adapter: TypeAdapter[OperationModel] = TypeAdapter(Operation)

_UNPACK_LIMITS = {
    "max_str_len": Limits.MAX_FRAME_BYTES,
    # Points are bin: as much as a frame may hold, and validation bounds each field.
    "max_bin_len": Limits.MAX_FRAME_BYTES,
    # Just above the longest valid list, so that an overlong one is refused by validation.
    "max_array_len": Limits.MAX_ERASE_TARGETS + 1,
    "max_map_len": 16,
    "max_ext_len": 0,
}


def _unpack(frame: bytes) -> Any:
    if len(frame) > Limits.MAX_FRAME_BYTES:
        raise ProtocolError("frame too large")
    try:
        return msgpack.unpackb(frame, raw=False, strict_map_key=True, **_UNPACK_LIMITS)
    except Exception as exc:  # msgpack raises several unrelated types for bad input
        raise ProtocolError(f"not valid msgpack: {type(exc).__name__}") from None


def _reason(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "message"
    return f"{where}: {first['msg']}"[:120]


def decode_client(frame: bytes) -> ClientMessageModel:
    """Decode one client frame.

    Raises:
        ProtocolError: the frame is not msgpack, or not a valid client message.
    """
    try:
        return client_message_adapter.validate_python(_unpack(frame))
    except ValidationError as exc:
        raise ProtocolError(_reason(exc)) from None


def decode_operation(payload: bytes) -> OperationModel:
    """Decode a stored operation payload (see ``encode_operation``)."""
    try:
        return operation_adapter.validate_python(_unpack(payload))
    except ValidationError as exc:
        raise ProtocolError(_reason(exc)) from None


def _pack(value: Any) -> bytes:
    # Coordinates and widths travel as float32: 5 bytes a number instead of 9. Points are bin.
    packed: bytes = msgpack.packb(value, use_single_float=True)
    return packed


def encode_client(message: ClientMessageModel) -> bytes:
    """Encode a client message (used by tests, benchmarks and other Python clients)."""
    return _pack(message.model_dump(exclude_none=True))


def encode_operation(op: OperationModel) -> bytes:
    """The stored form of an operation; spliced unchanged into ``committed`` messages."""
    return _pack(op.model_dump(exclude_none=True))


def encode_server(message: BaseModel) -> bytes:
    """Encode one server message; ``frame`` joins encoded messages into one frame."""
    return _pack(message.model_dump(exclude_none=True))


def encode_peer(peer: Peer) -> bytes:
    """A peer as ``welcome`` lists it: encoded once per connection, spliced into every welcome."""
    return _pack(peer.model_dump())


def encode_welcome(welcome: Welcome, peers: list[bytes]) -> bytes:
    """A ``welcome`` whose ``peers`` are the already encoded ``peers`` (``encode_peer``), so that
    joining a crowded room does not encode everyone again."""
    fields = welcome.model_dump(exclude_none=True, exclude={"peers"})
    head = map_header(len(fields) + 1) + b"".join(_pack(k) + _pack(v) for k, v in fields.items())
    return head + _pack("peers") + array_header(len(peers)) + b"".join(peers)


def encode_peer_live(peer: int, live: Live) -> bytes:
    """The ``live`` relayed to the others: the sender's validated message and its peer id
    (a ``PeerLive``, encoded without validating its fields a second time)."""
    fields = {
        "type": "live",
        "peer": peer,
        "stroke": live.stroke,
        "color": live.color,
        "width": live.width,
        "points": live.points,
    }
    return _pack(fields)


def encode_peer_cursor(peer: int, cursor: Cursor) -> bytes:
    """The ``cursor`` relayed to the others (a ``PeerCursor``, see ``encode_peer_live``)."""
    return _pack({"type": "cursor", "peer": peer, "x": cursor.x, "y": cursor.y})


_RELAYED: dict[type[Message], type[Message]] = {
    Typing: PeerTyping,
    Transforming: PeerTransforming,
    Drafting: PeerDrafting,
    Laser: PeerLaser,
    Follow: PeerFollow,
    Viewport: PeerViewport,
}


def relayed(peer: int, message: Message) -> Message:
    """What the others get for an ephemeral ``message``: its fields and the sender's peer id."""
    fields = message.model_dump(exclude={"type"}, exclude_none=True)
    return _RELAYED[type(message)].model_validate({"peer": peer, **fields})


_COMMITTED_HEAD = _pack("type") + _pack("committed")
_LIVE_HEAD = _pack("type") + _pack("live")


def looks_live(frame: bytes) -> bool:
    """Whether a client frame is a ``live`` message as clients write it (a map whose first key
    is its type), told without decoding it: what a crowded room may drop unread. Whether it
    really is one is up to ``decode_client``, for the frames the room takes."""
    return (
        len(frame) > len(_LIVE_HEAD)
        and 0x80 <= frame[0] <= 0x8F
        and frame.startswith(_LIVE_HEAD, 1)
    )


def encode_committed(seq: int, author: str, op_payload: bytes) -> bytes:
    """A ``committed`` message built around a stored payload without decoding it."""
    return b"".join(
        (
            b"\x84",  # fixmap of 4 entries
            _COMMITTED_HEAD,
            _pack("seq"),
            _pack(seq),
            _pack("author"),
            _pack(author),
            _pack("op"),
            op_payload,
        )
    )


def map_header(count: int) -> bytes:
    """The msgpack header of a map of ``count`` entries."""
    if count < 16:
        return bytes((0x80 | count,))
    return b"\xde" + count.to_bytes(2, "big")


def array_header(count: int) -> bytes:
    """The msgpack header of an array of ``count`` items, for splicing encoded items after it."""
    if count < 16:
        return bytes((0x90 | count,))
    if count < 2**16:
        return b"\xdc" + count.to_bytes(2, "big")
    return b"\xdd" + count.to_bytes(4, "big")


def frame(messages: list[bytes]) -> bytes:
    """One server frame: a msgpack array around already encoded messages."""
    return array_header(len(messages)) + b"".join(messages)


def decode_server_frame(data: bytes) -> list[Any]:
    """Decode a server frame into messages (for tests and Python clients)."""
    try:
        raw = msgpack.unpackb(data, raw=False)
    except Exception as exc:
        raise ProtocolError(f"not valid msgpack: {type(exc).__name__}") from None
    if not isinstance(raw, list):
        raise ProtocolError("a server frame is an array of messages")
    try:
        return [server_message_adapter.validate_python(item) for item in raw]
    except ValidationError as exc:
        raise ProtocolError(_reason(exc)) from None
