//! The tar archive format as `kubectl cp` and a container's `tar` exchange it: ustar headers
//! (512-byte blocks, octal numeric fields, the header checksum), with GNU long names (`L`)
//! and PAX `path`/`linkpath` records read, and long names written as GNU `L` records.
//! In-memory only (no I/O): the CLI reads and writes local files, the sandbox its virtual
//! filesystem.

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// A symbolic link to this target.
    Symlink(String),
    /// Any other type (hard link, device, FIFO): its type flag.
    Other(u8),
}

/// One archive member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The member name as stored (directories written with a trailing `/`).
    pub name: String,
    pub kind: Kind,
    /// Permission bits.
    pub mode: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: i64,
    pub data: Vec<u8>,
}

/// Why an archive could not be read, in Go's `archive/tar` words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TarError {
    /// `archive/tar: invalid tar header`
    Header,
    /// The archive ends inside a header or a member's data.
    UnexpectedEof,
}

impl std::fmt::Display for TarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TarError::Header => f.write_str("archive/tar: invalid tar header"),
            TarError::UnexpectedEof => f.write_str("unexpected EOF"),
        }
    }
}

impl std::error::Error for TarError {}

const BLOCK: usize = 512;

fn octal(field: &mut [u8], v: u64) {
    // Width-1 octal digits, zero padded, NUL terminated.
    let s = format!("{:0w$o}", v, w = field.len() - 1);
    let s = &s[s.len().saturating_sub(field.len() - 1)..];
    field[..s.len()].copy_from_slice(s.as_bytes());
    field[field.len() - 1] = 0;
}

fn header(name: &[u8], flag: u8, mode: u32, size: u64, mtime: i64, link: &[u8]) -> [u8; BLOCK] {
    let mut h = [0u8; BLOCK];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    octal(&mut h[100..108], u64::from(mode & 0o7777));
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime.max(0) as u64);
    h[156] = flag;
    let l = link.len().min(100);
    h[157..157 + l].copy_from_slice(&link[..l]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    let s = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(s.as_bytes());
    h
}

fn pad(out: &mut Vec<u8>) {
    let rem = out.len() % BLOCK;
    if rem != 0 {
        out.resize(out.len() + BLOCK - rem, 0);
    }
}

/// Appends a GNU `././@LongLink` record of type `flag` (`L` a long name, `K` a long link
/// target) holding `name` and its NUL.
fn long_name(out: &mut Vec<u8>, flag: u8, name: &[u8]) {
    let mut data = name.to_vec();
    data.push(0);
    out.extend_from_slice(&header(
        b"././@LongLink",
        flag,
        0,
        data.len() as u64,
        0,
        b"",
    ));
    out.extend_from_slice(&data);
    pad(out);
}

/// Appends one member (with a GNU long-name record first when its name or link target is
/// longer than a header holds).
pub fn append(out: &mut Vec<u8>, e: &Entry) {
    let link = match &e.kind {
        Kind::Symlink(t) => t.as_bytes().to_vec(),
        _ => Vec::new(),
    };
    if link.len() > 100 {
        long_name(out, b'K', &link);
    }
    if e.name.len() > 100 {
        long_name(out, b'L', e.name.as_bytes());
    }
    let (flag, size) = match &e.kind {
        Kind::File => (b'0', e.data.len() as u64),
        Kind::Dir => (b'5', 0),
        Kind::Symlink(_) => (b'2', 0),
        Kind::Other(f) => (*f, 0),
    };
    out.extend_from_slice(&header(
        e.name.as_bytes(),
        flag,
        e.mode,
        size,
        e.mtime,
        &link,
    ));
    if flag == b'0' {
        out.extend_from_slice(&e.data);
        pad(out);
    }
}

/// Ends an archive: two zero blocks.
pub fn finish(out: &mut Vec<u8>) {
    out.resize(out.len() + 2 * BLOCK, 0);
}

/// An archive of these members.
pub fn write(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        append(&mut out, e);
    }
    finish(&mut out);
    out
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn parse_octal(b: &[u8]) -> Result<u64, TarError> {
    // GNU base-256 for large values.
    if b.first().is_some_and(|c| c & 0x80 != 0) {
        let mut v: u64 = u64::from(b[0] & 0x7f);
        for c in &b[1..] {
            v = v.checked_mul(256).ok_or(TarError::Header)? | u64::from(*c);
        }
        return Ok(v);
    }
    let s = cstr(b);
    let s = s.trim_matches(|c: char| c == ' ' || c == '\0');
    if s.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(s, 8).map_err(|_| TarError::Header)
}

/// The PAX records' `path` and `linkpath`.
fn pax(data: &[u8]) -> (Option<String>, Option<String>) {
    let (mut path, mut link) = (None, None);
    let mut rest = data;
    while !rest.is_empty() {
        let Some(sp) = rest.iter().position(|c| *c == b' ') else {
            break;
        };
        let Some(len) = std::str::from_utf8(&rest[..sp])
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            break;
        };
        if len <= sp || len > rest.len() {
            break;
        }
        let rec = &rest[sp + 1..len];
        let rec = rec.strip_suffix(b"\n").unwrap_or(rec);
        if let Some(eq) = rec.iter().position(|c| *c == b'=') {
            let v = String::from_utf8_lossy(&rec[eq + 1..]).into_owned();
            match &rec[..eq] {
                b"path" => path = Some(v),
                b"linkpath" => link = Some(v),
                _ => {}
            }
        }
        rest = &rest[len..];
    }
    (path, link)
}

/// Reads every member of an archive. A stream that ends where a header would start (no
/// end-of-archive blocks) ends the archive, as Go's reader takes it.
pub fn read(data: &[u8]) -> Result<Vec<Entry>, TarError> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut long_name: Option<String> = None;
    let mut long_link: Option<String> = None;
    loop {
        if pos >= data.len() {
            return Ok(out);
        }
        let Some(h) = data.get(pos..pos + BLOCK) else {
            return Err(TarError::UnexpectedEof);
        };
        if h.iter().all(|b| *b == 0) {
            return Ok(out);
        }
        let stored = parse_octal(&h[148..156])?;
        // The checksum field itself counts as spaces; old tars summed signed bytes.
        let sum = |byte: fn(u8) -> i64| -> i64 {
            h.iter()
                .enumerate()
                .map(|(i, b)| {
                    if (148..156).contains(&i) {
                        32
                    } else {
                        byte(*b)
                    }
                })
                .sum()
        };
        let unsigned = sum(i64::from) as u64;
        let signed = sum(|b| i64::from(b as i8));
        if stored != unsigned && stored as i64 != signed {
            return Err(TarError::Header);
        }
        pos += BLOCK;
        let size = usize::try_from(parse_octal(&h[124..136])?).map_err(|_| TarError::Header)?;
        let flag = h[156];
        let body = data
            .get(pos..pos.checked_add(size).ok_or(TarError::Header)?)
            .ok_or(TarError::UnexpectedEof)?
            .to_vec();
        pos += size.div_ceil(BLOCK) * BLOCK;
        match flag {
            b'L' => {
                long_name = Some(cstr(&body));
                continue;
            }
            b'K' => {
                long_link = Some(cstr(&body));
                continue;
            }
            b'x' => {
                let (p, l) = pax(&body);
                long_name = p.or(long_name);
                long_link = l.or(long_link);
                continue;
            }
            b'g' => continue,
            _ => {}
        }
        let mut name = cstr(&h[..100]);
        if &h[257..262] == b"ustar" {
            let prefix = cstr(&h[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        if let Some(n) = long_name.take() {
            name = n;
        }
        let mut link = cstr(&h[157..257]);
        if let Some(l) = long_link.take() {
            link = l;
        }
        let kind = match flag {
            b'0' | 0 | b'7' if name.ends_with('/') => Kind::Dir,
            b'0' | 0 | b'7' => Kind::File,
            b'5' => Kind::Dir,
            b'2' => Kind::Symlink(link),
            f => Kind::Other(f),
        };
        out.push(Entry {
            name,
            mode: parse_octal(&h[100..108])? as u32 & 0o7777,
            mtime: parse_octal(&h[136..148])? as i64,
            data: if kind == Kind::File { body } else { Vec::new() },
            kind,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.into(),
            kind: Kind::File,
            mode: 0o644,
            mtime: 1_700_000_000,
            data: data.to_vec(),
        }
    }

    #[test]
    fn round_trips_files_dirs_links_and_long_names() {
        let long = format!("d/{}", "x".repeat(150));
        let entries = vec![
            Entry {
                name: "d/".into(),
                kind: Kind::Dir,
                mode: 0o755,
                mtime: 1,
                data: vec![],
            },
            file("d/a.txt", b"hello\n"),
            file(&long, &[0u8; 600]),
            Entry {
                name: "d/l".into(),
                kind: Kind::Symlink("../../etc/passwd".into()),
                mode: 0o777,
                mtime: 1,
                data: vec![],
            },
        ];
        let bytes = write(&entries);
        assert_eq!(bytes.len() % BLOCK, 0);
        assert_eq!(read(&bytes).unwrap(), entries);
    }

    #[test]
    fn corrupt_and_truncated_archives_are_errors() {
        let mut bytes = write(&[file("a", b"data")]);
        bytes[0] ^= 1;
        assert_eq!(read(&bytes), Err(TarError::Header));
        let bytes = write(&[file("a", &[7u8; 1000])]);
        assert_eq!(read(&bytes[..700]), Err(TarError::UnexpectedEof));
        assert_eq!(read(&bytes[..100]), Err(TarError::UnexpectedEof));
        assert_eq!(read(&[]), Ok(vec![]));
    }

    #[test]
    fn pax_paths_are_read() {
        let rec = "29 path=a/very/long/pax/name\n";
        assert_eq!(rec.len(), 29);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&header(
            b"PaxHeaders/x",
            b'x',
            0o644,
            rec.len() as u64,
            0,
            b"",
        ));
        bytes.extend_from_slice(rec.as_bytes());
        pad(&mut bytes);
        append(&mut bytes, &file("short", b"1"));
        finish(&mut bytes);
        let got = read(&bytes).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "a/very/long/pax/name");
    }
}
