//! A narrow JSON cursor for the in-place lead reader: it walks a document
//! that the reader expects, and gives up (`None`) on anything else.
//!
//! A string value ends at its first quote, backslash or control byte,
//! searched for eight bytes at a time; only a quote is a plain string's
//! end. A member name ends at its next quote and is compared as bytes with
//! the names the reader knows, so a name with an escape matches none and
//! the reader gives up (custom attribute names are checked like values).
//!
//! ```
//! use crmkit::scoring::ScoringModel;
//!
//! let model = ScoringModel::from_json(r#"{"rules": [{"id": "cto", "points": 10,
//!     "when": {"field": "contact.job_title", "op": "equals", "value": "cto"}}]}"#)?;
//! let as_of = "2026-02-01T00:00:00Z".parse().unwrap();
//! let compact = r#"{"contact":{"id":"C-1","job_title":"CTO","created_at":"2026-01-01T00:00:00Z"}}"#;
//! let spaced = "{\n  \"contact\": {\"id\": \"C-1\", \"job_title\": \"CTO\",\n\t\"created_at\": \"2026-01-01T00:00:00Z\"}\n}";
//! assert_eq!(model.score_json(compact, as_of)?, model.score_json(spaced, as_of)?);
//! Ok::<(), crmkit::Error>(())
//! ```

use serde::Deserialize;
use serde::de::value::{BorrowedStrDeserializer, Error as ValueError};

use super::timestamp_text::plain_timestamp;
use crate::model::{
    AttributeValue, FieldValue, LifecycleStage, MAX_ID_LEN, Timestamp, is_valid_id,
};
use crate::money::{Currency, Money, parse_decimal};

/// A JSON cursor that gives up (`None`) on anything outside what the
/// reader accepts.
pub(super) struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub(super) fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, pos: 0 }
    }

    /// Skips whitespace and returns the next byte, not consumed.
    #[inline]
    pub(super) fn peek(&mut self) -> Option<u8> {
        let b = *self.text.as_bytes().get(self.pos)?;
        // Every JSON whitespace byte is at most a space.
        if b > b' ' {
            return Some(b);
        }
        self.skip_whitespace()
    }

    #[cold]
    fn skip_whitespace(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    #[inline]
    pub(super) fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// A string without escapes, borrowed.
    #[inline]
    pub(super) fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let bytes = self.text.as_bytes();
        self.pos += special_byte(bytes.get(start..)?)?;
        if bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let text = self.text.get(start..self.pos)?;
        self.pos += 1;
        Some(text)
    }

    /// A member name, borrowed: the bytes up to the next quote (compared
    /// as bytes, which spares slicing the text at characters). It is not
    /// checked for escapes or control bytes, as every name the reader
    /// knows is plain: a name with either matches none, and the reader
    /// gives up. Custom attribute names are checked by
    /// [`Cursor::attributes`].
    #[inline(always)]
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let end = start + quote(bytes.get(start..)?)?;
        self.pos = end + 1;
        bytes.get(start..end)
    }

    /// Reads `word` if it is next (a fixed-size comparison, no search).
    #[inline]
    fn literal<const N: usize>(&mut self, word: &[u8; N]) -> bool {
        if self.peek().is_some()
            && self
                .text
                .as_bytes()
                .get(self.pos..)
                .and_then(<[u8]>::first_chunk::<N>)
                == Some(word)
        {
            self.pos += N;
            true
        } else {
            false
        }
    }

    pub(super) fn null(&mut self) -> bool {
        self.literal(b"null")
    }

    pub(super) fn boolean(&mut self) -> Option<bool> {
        if self.literal(b"true") {
            Some(true)
        } else if self.literal(b"false") {
            Some(false)
        } else {
            None
        }
    }

    /// A whole number from 0 to `max`, written plainly.
    pub(super) fn unsigned(&mut self, max: u64) -> Option<u64> {
        self.peek()?;
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut value = 0_u64;
        while let Some(&b) = bytes.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        if digits == 0 || (digits > 1 && bytes.get(start) == Some(&b'0')) {
            return None;
        }
        if matches!(bytes.get(self.pos), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        (value <= max).then_some(value)
    }

    pub(super) fn u32(&mut self) -> Option<u32> {
        self.unsigned(u64::from(u32::MAX))
            .and_then(|v| u32::try_from(v).ok())
    }

    /// Reads the `open` byte of an object or array: `Some(true)` when
    /// values follow, `Some(false)` when `close` follows at once (read).
    #[inline]
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.eat(open)?;
        if self.peek()? == close {
            self.pos += 1;
            return Some(false);
        }
        Some(true)
    }

    /// After a value of an object or array: `Some(true)` when a comma
    /// (read) says another follows, `Some(false)` at `close` (read).
    #[inline]
    fn more(&mut self, close: u8) -> Option<bool> {
        let b = self.peek()?;
        if b == b',' || b == close {
            self.pos += 1;
            return Some(b == b',');
        }
        None
    }

    /// `{"key": value, ...}`, each member read by `member`, which gives up
    /// on a name it does not know (see [`Cursor::key`]).
    pub(super) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>,
    ) -> Option<()> {
        if !self.open(b'{', b'}')? {
            return Some(());
        }
        loop {
            let key = self.key()?;
            self.eat(b':')?;
            member(self, key)?;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// `{"key": value, ...}` of an object whose members are among `names`,
    /// each read by `member` with its number in `names`. The name of each
    /// member is first compared with the one `order` predicts (the name
    /// that followed the previous member in the last object of this kind),
    /// so objects written alike cost one comparison per name; any other
    /// name is looked up, and `order` learns from it. An unknown name gives
    /// up.
    pub(super) fn members<const N: usize>(
        &mut self,
        names: &MemberNames<N>,
        order: &mut MemberOrder,
        mut member: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        if !self.open(b'{', b'}')? {
            return Some(());
        }
        // The slot in `order.next` of the previous member; slot `N` is the
        // start of the object.
        let mut previous = N;
        loop {
            let index = match self.predicted_member(names, order.next[previous]) {
                Some(index) => index,
                None => {
                    let key = self.key()?;
                    self.eat(b':')?;
                    let index = names.index(key)?;
                    order.next[previous] = index as u8;
                    index
                }
            };
            member(self, index)?;
            previous = index;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// Member `predicted` of `names`, read with its colon, if its name is
    /// next in the text.
    #[inline(always)]
    fn predicted_member<const N: usize>(
        &mut self,
        names: &MemberNames<N>,
        predicted: u8,
    ) -> Option<usize> {
        let index = usize::from(predicted);
        let pattern = names.patterns.get(index)?;
        self.peek()?;
        let chunk = self.text.as_bytes().get(self.pos..)?.first_chunk::<24>()?;
        let (head, tail) = chunk.split_at(16);
        let head = u128::from_le_bytes(head.try_into().ok()?);
        let tail = u64::from_le_bytes(tail.try_into().ok()?);
        if (head ^ pattern.head) & pattern.head_mask != 0
            || (tail ^ pattern.tail) & pattern.tail_mask != 0
        {
            return None;
        }
        self.pos += pattern.len;
        Some(index)
    }

    /// `[value, ...]`, each element read by `element`.
    pub(super) fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if !self.open(b'[', b']')? {
            return Some(());
        }
        loop {
            element(self)?;
            if !self.more(b']')? {
                return Some(());
            }
        }
    }

    /// The text of the next value, skipped; whoever reads it checks it.
    pub(super) fn raw_value(&mut self) -> Option<&'a str> {
        self.peek()?;
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut depth = 0_usize;
        loop {
            let b = *bytes.get(self.pos)?;
            match b {
                b'"' => {
                    self.pos += 1;
                    loop {
                        let c = *bytes.get(self.pos)?;
                        self.pos += if c == b'\\' { 2 } else { 1 };
                        if c == b'"' {
                            break;
                        }
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                    self.pos += 1;
                }
                b',' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => break,
                _ => self.pos += 1,
            }
            if depth == 0 && matches!(b, b'"' | b'}' | b']') {
                break;
            }
        }
        self.text.get(start..self.pos)
    }

    /// A valid identifier (see [`is_valid_id`]).
    #[inline]
    pub(super) fn id(&mut self) -> Option<&'a str> {
        // The usual id, printable ASCII up to its closing quote, is found
        // and checked in one pass.
        if self.peek()? == b'"' {
            let bytes = self.text.as_bytes();
            let start = self.pos + 1;
            let len = id_byte_run(bytes.get(start..)?);
            if bytes.get(start + len) == Some(&b'"') && (1..=MAX_ID_LEN).contains(&len) {
                self.pos = start + len + 1;
                return self.text.get(start..start + len);
            }
        }
        self.string().filter(|id| is_valid_id(id))
    }

    /// What `read` reads; or, when the text that follows is the text of
    /// the value `memo` holds, that value again, not read a second time.
    /// `memo` keeps the text and value of what `read` reads. For members
    /// whose value often repeats from one object to the next (an
    /// activity's contact, an email's subject); `read` must read a string
    /// or `null`, whose text alone decides its value.
    #[inline]
    pub(super) fn repeat<T: Copy>(
        &mut self,
        memo: &mut Memo<'a, T>,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<T> {
        self.peek()?;
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if let Some((text, value)) = *memo
            && bytes.get(start..start + text.len()) == Some(text)
        {
            self.pos = start + text.len();
            return Some(value);
        }
        let value = read(self)?;
        *memo = Some((bytes.get(start..self.pos)?, value));
        Some(value)
    }

    /// `null` (`Some(None)`) or what `read` reads.
    pub(super) fn nullable<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        if self.null() {
            Some(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A timestamp string, as [`plain_timestamp`] reads it.
    pub(super) fn timestamp(&mut self) -> Option<Timestamp> {
        let (seconds, nanos) = self.instant()?;
        Timestamp::from_timestamp(seconds, nanos)
    }

    /// A timestamp string, as [`plain_timestamp`] reads it, as its whole
    /// seconds since the Unix epoch (the fraction is checked and dropped).
    pub(super) fn epoch_seconds(&mut self) -> Option<i64> {
        self.instant().map(|(seconds, _)| seconds)
    }

    /// A timestamp string's seconds since the Unix epoch and nanoseconds.
    fn instant(&mut self) -> Option<(i64, u32)> {
        // The usual `"YYYY-MM-DDTHH:MM:SSZ"` needs no search for its end:
        // `plain_timestamp` checks each of its bytes.
        if self.peek()? == b'"' {
            let start = self.pos + 1;
            if let Some(text @ [.., b'Z']) = self.text.as_bytes().get(start..start + 20)
                && self.text.as_bytes().get(start + 20) == Some(&b'"')
            {
                let at = plain_timestamp(text)?;
                self.pos = start + 21;
                return Some(at);
            }
        }
        self.string()
            .and_then(|text| plain_timestamp(text.as_bytes()))
    }

    /// `{"amount": "12.50", "currency": "EUR"}`.
    pub(super) fn money(&mut self) -> Option<Money> {
        let (mut amount, mut currency) = (None, None);
        self.object(|c, key| {
            let slot = match key {
                b"amount" => &mut amount,
                b"currency" => &mut currency,
                _ => return None,
            };
            once(slot, c.string()?)
        })?;
        Some(Money::new(
            parse_decimal(amount?).ok()?,
            Currency::new(currency?).ok()?,
        ))
    }

    pub(super) fn stage(&mut self) -> Option<LifecycleStage> {
        self.string().and_then(LifecycleStage::parse)
    }

    /// A unit enum by its serde name.
    pub(super) fn name<T: Deserialize<'a>>(&mut self) -> Option<T> {
        let name = self.string()?;
        T::deserialize(BorrowedStrDeserializer::<ValueError>::new(name)).ok()
    }

    /// `{"name": value, ...}` of custom attributes (the last of a repeated
    /// name wins, as in the typed records).
    pub(super) fn attributes(&mut self, into: &mut Vec<(&'a str, FieldValue<'a>)>) -> Option<()> {
        self.object(|c, name| {
            if special_byte(name).is_some() {
                return None;
            }
            let name = std::str::from_utf8(name).ok()?;
            let value = match c.peek()? {
                b'"' => FieldValue::Text(c.string()?),
                b't' | b'f' => FieldValue::Bool(c.boolean()?),
                _ => match read_exact::<AttributeValue>(c.raw_value()?)? {
                    AttributeValue::Number(n) => FieldValue::Number(n),
                    AttributeValue::Date(d) => FieldValue::Date(d),
                    AttributeValue::Money(m) => FieldValue::Money(m),
                    AttributeValue::Text(_) | AttributeValue::Bool(_) => return None,
                },
            };
            into.retain(|(n, _)| *n != name);
            into.push((name, value));
            Some(())
        })
    }

    /// `["a", "b"]`: labels, checked and dropped.
    pub(super) fn tags(&mut self) -> Option<()> {
        self.array(|c| c.string().map(drop))
    }
}

/// The member names of one kind of object, numbered by their place, for
/// [`Cursor::members`].
pub(super) struct MemberNames<const N: usize> {
    names: [&'static [u8]; N],
    patterns: [NamePattern; N],
}

/// `"name":` as the first 24 bytes it takes, for a comparison of words.
#[derive(Clone, Copy)]
struct NamePattern {
    head: u128,
    head_mask: u128,
    tail: u64,
    tail_mask: u64,
    len: usize,
}

impl<const N: usize> MemberNames<N> {
    /// The names, each at most 21 bytes long (a longer one does not
    /// compile).
    pub(super) const fn new(names: [&'static str; N]) -> MemberNames<N> {
        let mut bytes = [&[] as &'static [u8]; N];
        let mut patterns = [NamePattern {
            head: 0,
            head_mask: 0,
            tail: 0,
            tail_mask: 0,
            len: 0,
        }; N];
        assert!(N <= MAX_MEMBERS, "too many member names");
        let mut i = 0;
        while i < N {
            let name = names[i].as_bytes();
            assert!(name.len() + 3 <= 24, "member name longer than 21 bytes");
            let mut text = [0_u8; 24];
            let mut mask = [0_u8; 24];
            text[0] = b'"';
            let mut j = 0;
            while j < name.len() {
                text[j + 1] = name[j];
                j += 1;
            }
            text[name.len() + 1] = b'"';
            text[name.len() + 2] = b':';
            let len = name.len() + 3;
            let mut k = 0;
            while k < len {
                mask[k] = 0xff;
                k += 1;
            }
            let (text_head, text_tail) = text.split_at(16);
            let (mask_head, mask_tail) = mask.split_at(16);
            patterns[i] = NamePattern {
                head: u128::from_le_bytes(*text_head.first_chunk().unwrap()),
                head_mask: u128::from_le_bytes(*mask_head.first_chunk().unwrap()),
                tail: u64::from_le_bytes(*text_tail.first_chunk().unwrap()),
                tail_mask: u64::from_le_bytes(*mask_tail.first_chunk().unwrap()),
                len,
            };
            bytes[i] = name;
            i += 1;
        }
        MemberNames {
            names: bytes,
            patterns,
        }
    }

    /// The number of the member called `key` (when the order was not
    /// predicted: kept out of the reading loop).
    #[inline(never)]
    pub(super) fn index(&self, key: &[u8]) -> Option<usize> {
        self.names.iter().position(|name| *name == key)
    }
}

/// A member's last value and its text, for [`Cursor::repeat`].
pub(super) type Memo<'a, T> = Option<(&'a [u8], T)>;

/// What [`Cursor::members`] learnt of the order of an object's members:
/// for each member, the number of the one that followed it last, and in
/// slot `N` (the number of names) the first one.
pub(super) struct MemberOrder {
    next: [u8; MAX_MEMBERS + 1],
}

impl Default for MemberOrder {
    /// Nothing learnt: no prediction.
    fn default() -> MemberOrder {
        MemberOrder {
            next: [u8::MAX; MAX_MEMBERS + 1],
        }
    }
}

/// The most members [`MemberNames`] may name.
const MAX_MEMBERS: usize = 31;

/// `0x01` in every byte of a word.
pub(super) const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
const QUOTES: u64 = ONES * b'"' as u64;
const BACKSLASHES: u64 = ONES * b'\\' as u64;
const CONTROL_BITS: u64 = ONES * 0xe0;
const DELETES: u64 = ONES * 0x7f;

/// High bits flagging the zero bytes of `v`: the lowest flag is always a
/// true zero byte (a borrow only flags bytes above a true one).
#[inline]
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGH
}

/// Whether `b` ends a plain string.
fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The offset of the first quote, backslash or control byte of `bytes`.
fn special_byte(bytes: &[u8]) -> Option<usize> {
    find(
        bytes,
        |v| zero_bytes(v ^ QUOTES) | zero_bytes(v ^ BACKSLASHES) | zero_bytes(v & CONTROL_BITS),
        is_special,
    )
}

/// Whether `b` is printable ASCII other than a quote or backslash: a byte
/// an id written plainly is made of.
fn is_plain_id_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\'
}

/// How many bytes at the start of `bytes` are plain id bytes.
fn id_byte_run(bytes: &[u8]) -> usize {
    find(
        bytes,
        |v| {
            zero_bytes(v ^ QUOTES)
                | zero_bytes(v ^ BACKSLASHES)
                | zero_bytes(v & CONTROL_BITS)
                | zero_bytes(v ^ DELETES)
                | (v & HIGH)
        },
        |b| !is_plain_id_byte(b),
    )
    .unwrap_or(bytes.len())
}

/// The offset of the first quote of `bytes`.
fn quote(bytes: &[u8]) -> Option<usize> {
    find(bytes, |v| zero_bytes(v ^ QUOTES), |b| b == b'"')
}

/// The offset of the first byte of `bytes` that `is` accepts, eight bytes
/// at a time: `flags` flags them in a word, and its lowest flag is exact.
#[inline(always)]
fn find(bytes: &[u8], flags: impl Fn(u64) -> u64, is: impl Fn(u8) -> bool) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    for (i, word) in words.by_ref().enumerate() {
        let found = flags(u64::from_le_bytes(word.try_into().ok()?));
        if found != 0 {
            return Some(i * 8 + (found.trailing_zeros() / 8) as usize);
        }
    }
    let rest = words.remainder();
    let at = bytes.len() - rest.len();
    Some(at + rest.iter().position(|&b| is(b))?)
}

/// Stores `value` in an empty slot; a repeated member gives up.
pub(super) fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// Marks member `bit` as seen; a repeated member gives up.
pub(super) fn mark(seen: &mut u32, bit: u32) -> Option<()> {
    if *seen & (1 << bit) != 0 {
        return None;
    }
    *seen |= 1 << bit;
    Some(())
}

/// A value read from its JSON text when every number in it is exact (see
/// [`crate::exact_json`]); `None` otherwise, so that the typed reader, which
/// names the JSON path, reports the number.
fn read_exact<'de, T: serde::Deserialize<'de>>(raw: &'de str) -> Option<T> {
    let value = serde_json::from_str::<T>(raw).ok()?;
    crate::exact_json::check_numbers(raw).ok()?;
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An array of strings and nulls, each read through `memo` if given.
    fn read_strings<'a>(
        text: &'a str,
        mut memo: Option<&mut Memo<'a, Option<&'a str>>>,
    ) -> Option<Vec<Option<&'a str>>> {
        let mut cursor = Cursor::new(text);
        let mut read = Vec::new();
        cursor.array(|c| {
            let value = match memo.as_deref_mut() {
                Some(memo) => c.repeat(memo, |c| c.nullable(Cursor::string))?,
                None => c.nullable(Cursor::string)?,
            };
            read.push(value);
            Some(())
        })?;
        Some(read)
    }

    proptest! {
        #[test]
        fn special_bytes_are_found_where_a_plain_search_finds_them(
            bytes in prop::collection::vec(prop_oneof![
                Just(b'"'), Just(b'\\'), 0_u8..0x20, 0x20_u8..=0xff, Just(b'a'), Just(b'#'), Just(0x7f),
            ], 0..40),
        ) {
            prop_assert_eq!(special_byte(&bytes), bytes.iter().position(|&b| is_special(b)));
            prop_assert_eq!(quote(&bytes), bytes.iter().position(|&b| b == b'"'));
            prop_assert_eq!(
                id_byte_run(&bytes),
                bytes.iter().position(|&b| !is_plain_id_byte(b)).unwrap_or(bytes.len())
            );
        }

    #[test]
    fn members_are_read_in_any_order_and_a_wrong_guess_is_looked_up(
        orders in prop::collection::vec(
            Just(vec![0_usize, 1, 2]).prop_union(Just(vec![2, 0, 1]))
                .or(Just(vec![1, 2])).or(Just(vec![2, 1, 0])),
            1..6,
        ),
        repeat in any::<bool>(),
    ) {
        const NAMES: MemberNames<3> = MemberNames::new(["id", "duration_seconds", "x"]);
        let object = |order: &[usize]| {
            let members: Vec<String> = order
                .iter()
                .map(|&i| format!("\"{}\":{i}", ["id", "duration_seconds", "x"][i]))
                .collect();
            format!("{{{}}}", members.join(","))
        };
        let mut text: Vec<String> = orders.iter().map(|order| object(order)).collect();
        if repeat {
            text.push("{\"x\":2,\"x\":2}".to_string());
        }
        let text = format!("[{}]", text.join(","));
        let mut order = MemberOrder::default();
        let mut read = Vec::new();
        let mut cursor = Cursor::new(&text);
        let result = cursor.array(|c| {
            let mut seen = Vec::new();
            c.members(&NAMES, &mut order, |c, member| {
                // Each value is its member's number.
                let value = c.unsigned(9)?;
                (value == member as u64 && !seen.contains(&member)).then(|| seen.push(member))
            })?;
            read.push(seen);
            Some(())
        });
        prop_assert_eq!(result.is_some(), !repeat);
        if !repeat {
            prop_assert_eq!(read, orders);
        }
    }

    #[test]
    fn repeated_values_are_read_as_without_memo(
        values in prop::collection::vec(prop_oneof![
            Just("\"C-1\"".to_string()), Just("\"C-12\"".to_string()), Just("null".to_string()),
            Just("\"a string of more than sixteen bytes\"".to_string()),
            "\"[a-c\\\\\"]{0,17}\"?",
        ], 1..8),
    ) {
        let text = format!("[{}]", values.join(","));
        prop_assert_eq!(read_strings(&text, Some(&mut None)), read_strings(&text, None));
    }

    }
}
