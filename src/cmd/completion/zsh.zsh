#compdef @BIN@
# zsh completion for @BIN@
#
# Speaks cobra's completion protocol: asks `@BIN@ __complete <words> <current word>` for
# candidates, so completions come from the live cluster (resource types, names, namespaces).

__@FN@_complete() {
    local -a args cands
    local out directive line name prefix=""
    args=("${(@)words[2,$((CURRENT-1))]}")
    # `--flag=value`: the answer holds bare values, the word keeps its `--flag=` part.
    [[ "${words[CURRENT]}" == -*=* ]] && prefix="${words[CURRENT]%%=*}="
    out=$(@BIN@ __complete "${args[@]}" "${words[CURRENT]}" 2>/dev/null) || return 1
    directive=${${(f)out}[-1]#:}
    [[ "$directive" == <-> ]] || directive=0
    (( directive & 1 )) && return 1
    for line in "${(@f)out}"; do
        [[ "$line" == :* || -z "$line" ]] && continue
        name="${prefix}${line%%$'\t'*}"
        if [[ "$line" == *$'\t'* ]]; then
            cands+=("${name//:/\\:}:${line#*$'\t'}")
        else
            cands+=("${name//:/\\:}")
        fi
    done
    if (( directive & 8 )); then
        local -a exts
        for line in "${(@f)out}"; do
            [[ "$line" == :* || -z "$line" ]] && continue
            exts+=("*.${line%%$'\t'*}")
        done
        _files -g "(${(j:|:)exts})"
        return
    fi
    if (( directive & 16 )); then
        _files -/
        return
    fi
    if (( ${#cands} == 0 )); then
        (( directive & 4 )) && return 1
        _files
        return
    fi
    local -a opts
    (( directive & 2 )) && opts+=(-S '')
    (( directive & 32 )) && opts+=(-V unsorted)
    _describe -t values 'completions' cands "${opts[@]}"
}

compdef __@FN@_complete @BIN@
