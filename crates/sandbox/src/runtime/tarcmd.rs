//! `tar` over the container's virtual filesystem, enough for `kubectl cp`: `tar cf - PATH…`
//! (what `cp POD:SRC DEST` runs) and `tar [--no-same-permissions --no-same-owner] -xmf - -C
//! DIR` (what `cp SRC POD:DEST` runs), with GNU tar's option forms (`cf`, `-xmf`, `-C DIR`,
//! `--directory=DIR`, `--file=F`) and its messages. The archive format is `kcore::tar`.

use kcore::tar::{self, Entry as Member, Kind};

use super::super::vfs::{normalize, Entry};
use super::{Flow, Shell};

const FAILED: &str = "tar: Exiting with failure status due to previous errors\n";

#[derive(Default)]
struct Opts {
    create: bool,
    extract: bool,
    list: bool,
    file: Option<String>,
    dir: Option<String>,
    members: Vec<String>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts::default();
    let mut i = 0;
    let mut wants: Vec<char> = Vec::new();
    while let Some(a) = args.get(i) {
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            let (k, v) = match long.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (long, None),
            };
            match k {
                "create" => o.create = true,
                "extract" | "get" => o.extract = true,
                "list" => o.list = true,
                "file" | "directory" => {
                    let v = match v {
                        Some(v) => v,
                        None => {
                            let v = args.get(i).cloned().ok_or_else(|| {
                                format!("tar: option '--{k}' requires an argument")
                            })?;
                            i += 1;
                            v
                        }
                    };
                    if k == "file" {
                        o.file = Some(v);
                    } else {
                        o.dir = Some(v);
                    }
                }
                _ => {}
            }
            continue;
        }
        let bundle = if let Some(s) = a.strip_prefix('-').filter(|s| !s.is_empty()) {
            s.to_string()
        } else if i == 1 {
            // Old style: the first word is a bundle of letters without a dash.
            a.clone()
        } else {
            o.members.push(a.clone());
            continue;
        };
        for c in bundle.chars() {
            match c {
                'c' => o.create = true,
                'x' => o.extract = true,
                't' => o.list = true,
                'f' | 'C' => wants.push(c),
                // -m, -p, -v, -o and friends change nothing the simulation keeps.
                _ => {}
            }
        }
        for c in std::mem::take(&mut wants) {
            let v = args
                .get(i)
                .cloned()
                .ok_or_else(|| format!("tar: option requires an argument -- '{c}'"))?;
            i += 1;
            if c == 'f' {
                o.file = Some(v);
            } else {
                o.dir = Some(v);
            }
        }
    }
    Ok(o)
}

impl Shell {
    pub(super) async fn tar(&mut self, args: &[String]) -> Flow {
        let o = match parse(args) {
            Ok(o) => o,
            Err(e) => {
                self.errln(&e);
                self.err("Try 'tar --help' or 'tar --usage' for more information.\n");
                return Flow::Normal(2);
            }
        };
        let modes = [o.create, o.extract, o.list].iter().filter(|b| **b).count();
        if modes != 1 {
            self.errln(if modes == 0 {
                "tar: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options"
            } else {
                "tar: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option"
            });
            self.err("Try 'tar --help' or 'tar --usage' for more information.\n");
            return Flow::Normal(2);
        }
        let base = match &o.dir {
            Some(d) => {
                let p = self.path(d);
                match self.ctx.fs.stat(&p) {
                    Some(Entry::Dir) => p,
                    found => {
                        let why = if found.is_some() {
                            "Not a directory"
                        } else {
                            "No such file or directory"
                        };
                        self.errln(&format!("tar: {d}: Cannot open: {why}"));
                        self.err("tar: Error is not recoverable: exiting now\n");
                        return Flow::Normal(2);
                    }
                }
            }
            None => self.ctx.cwd.clone(),
        };
        let at = |p: &str| {
            if p.starts_with('/') {
                normalize(p)
            } else {
                normalize(&format!("{base}/{p}"))
            }
        };
        if o.create {
            return self.tar_create(&o, &at);
        }
        // Extract or list: the archive from stdin or a file.
        let data = match o.file.as_deref() {
            None | Some("-") => self.stdin_text().await,
            Some(f) => match self.ctx.fs.read(&self.path(f)) {
                Ok(d) => d,
                Err(e) => {
                    self.errln(&format!("tar: {f}: Cannot open: {}", e.text()));
                    self.err("tar: Error is not recoverable: exiting now\n");
                    return Flow::Normal(2);
                }
            },
        };
        let members = match tar::read(&data) {
            Ok(m) => m,
            Err(tar::TarError::UnexpectedEof) => {
                self.err(
                    "tar: Unexpected EOF in archive\ntar: Error is not recoverable: exiting now\n",
                );
                return Flow::Normal(2);
            }
            Err(tar::TarError::Header) => {
                self.err("tar: This does not look like a tar archive\n");
                self.err(FAILED);
                return Flow::Normal(2);
            }
        };
        if o.list {
            let names: String = members.iter().map(|m| format!("{}\n", m.name)).collect();
            self.out(names);
            return Flow::Normal(0);
        }
        let mut failed = false;
        let mut warned_slash = false;
        for m in members {
            let mut name = m.name.as_str();
            if name.starts_with('/') {
                name = name.trim_start_matches('/');
                if !warned_slash {
                    self.err("tar: Removing leading `/' from member names\n");
                    warned_slash = true;
                }
            }
            if name.split('/').any(|c| c == "..") {
                self.errln(&format!("tar: {}: Member name contains '..'", m.name));
                failed = true;
                continue;
            }
            if name.is_empty() {
                continue;
            }
            let dest = at(name);
            let res = match &m.kind {
                Kind::Dir => self.ctx.fs.mkdir(&dest, true),
                Kind::File => {
                    let parent = match dest.rfind('/') {
                        Some(0) | None => "/".to_string(),
                        Some(i) => dest[..i].to_string(),
                    };
                    self.ctx
                        .fs
                        .mkdir(&parent, true)
                        .and_then(|()| self.ctx.fs.write(&dest, &m.data, false))
                }
                Kind::Symlink(t) => {
                    self.errln(&format!(
                        "tar: {name}: Cannot create symlink to '{t}': Operation not supported"
                    ));
                    failed = true;
                    continue;
                }
                Kind::Other(_) => {
                    self.errln(&format!(
                        "tar: {name}: Cannot mknod: Operation not permitted"
                    ));
                    failed = true;
                    continue;
                }
            };
            if let Err(e) = res {
                let verb = if m.kind == Kind::Dir {
                    "Cannot mkdir"
                } else {
                    "Cannot open"
                };
                self.errln(&format!("tar: {name}: {verb}: {}", e.text()));
                failed = true;
            }
        }
        if failed {
            self.err(FAILED);
            return Flow::Normal(2);
        }
        Flow::Normal(0)
    }

    fn tar_create(&mut self, o: &Opts, at: &dyn Fn(&str) -> String) -> Flow {
        if o.members.is_empty() {
            self.err("tar: Cowardly refusing to create an empty archive\n");
            self.err("Try 'tar --help' or 'tar --usage' for more information.\n");
            return Flow::Normal(2);
        }
        let mtime = self.now().timestamp();
        let mut members: Vec<Member> = Vec::new();
        let mut failed = false;
        let mut warned_slash = false;
        for m in &o.members {
            let mut name = m.as_str();
            if name.starts_with('/') && name != "/" {
                name = name.trim_start_matches('/');
                if !warned_slash {
                    self.err("tar: Removing leading `/' from member names\n");
                    warned_slash = true;
                }
            }
            let path = at(m);
            if self.ctx.fs.stat(&path).is_none() {
                self.errln(&format!("tar: {m}: Cannot stat: No such file or directory"));
                failed = true;
                continue;
            }
            self.tar_walk(&path, name.trim_end_matches('/'), mtime, &mut members);
        }
        let mut out = Vec::new();
        for m in &members {
            tar::append(&mut out, m);
        }
        tar::finish(&mut out);
        match o.file.as_deref() {
            None | Some("-") => self.out(out),
            Some(f) => {
                if let Err(e) = self.ctx.fs.write(&self.path(f), &out, false) {
                    self.errln(&format!("tar: {f}: Cannot open: {}", e.text()));
                    self.err("tar: Error is not recoverable: exiting now\n");
                    return Flow::Normal(2);
                }
            }
        }
        if failed {
            self.err(FAILED);
            return Flow::Normal(2);
        }
        Flow::Normal(0)
    }

    fn tar_walk(&self, path: &str, name: &str, mtime: i64, out: &mut Vec<Member>) {
        match self.ctx.fs.stat(path) {
            Some(Entry::File(data)) => out.push(Member {
                name: name.to_string(),
                kind: Kind::File,
                mode: 0o644,
                mtime,
                data,
            }),
            Some(Entry::Dir) => {
                let dir_name = if name.is_empty() {
                    String::new()
                } else {
                    format!("{name}/")
                };
                if !dir_name.is_empty() {
                    out.push(Member {
                        name: dir_name.clone(),
                        kind: Kind::Dir,
                        mode: 0o755,
                        mtime,
                        data: Vec::new(),
                    });
                }
                for child in self.ctx.fs.list(path).unwrap_or_default() {
                    let p = if path == "/" {
                        format!("/{child}")
                    } else {
                        format!("{path}/{child}")
                    };
                    self.tar_walk(&p, &format!("{dir_name}{child}"), mtime, out);
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn args(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn parses_kubectls_tar_command_lines() {
        let o = parse(&args("cf - /tmp/foo")).unwrap();
        assert!(o.create && o.file.as_deref() == Some("-") && o.members == ["/tmp/foo"]);
        let o = parse(&args(
            "--no-same-permissions --no-same-owner -xmf - -C /tmp/bar",
        ))
        .unwrap();
        assert!(o.extract && o.file.as_deref() == Some("-"));
        assert_eq!(o.dir.as_deref(), Some("/tmp/bar"));
        assert!(o.members.is_empty());
        assert!(parse(&args("-xf")).is_err());
    }
}
