# fish completion for kubectl-rs
#
# Speaks cobra's completion protocol: asks `kubectl-rs __complete <words> <current word>` for
# candidates, so completions come from the live cluster (resource types, names, namespaces).

function __kubectl_rs_complete
    set -l args (commandline -opc)
    set -e args[1]
    set -l cur (commandline -ct)
    set -l out (kubectl-rs __complete $args "$cur" 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    string match -qr '^[0-9]+$' -- $directive; or set directive 0
    set -e out[-1]
    if test (math "bitand($directive, 1)") -ne 0
        return
    end
    if test (math "bitand($directive, 8)") -ne 0
        for ext in $out
            __fish_complete_suffix .$ext
        end
        return
    end
    if test (math "bitand($directive, 16)") -ne 0
        __fish_complete_directories $cur
        return
    end
    if test (count $out) -eq 0
        if test (math "bitand($directive, 4)") -eq 0
            __fish_complete_path $cur
        end
        return
    end
    # `--flag=value`: the answer holds bare values, the token keeps its `--flag=` part.
    set -l prefix (string match -r -- '^-[^=]*=' "$cur")
    for line in $out
        printf '%s%s\n' "$prefix" $line
    end
end

complete -c kubectl-rs -f -a '(__kubectl_rs_complete)'
