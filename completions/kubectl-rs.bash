# bash completion for kubectl-rs                                   -*- shell-script -*-
#
# Speaks cobra's completion protocol: asks `kubectl-rs __complete <words> <current word>` for
# candidates, so completions come from the live cluster (resource types, names, namespaces).

__kubectl_rs_complete()
{
    local line="${COMP_LINE:0:COMP_POINT}"
    local -a words
    read -r -a words <<< "$line"
    local cur=""
    if [[ -n "$line" && ! "$line" =~ [[:space:]]$ ]]; then
        cur="${words[${#words[@]}-1]}"
        unset 'words[${#words[@]}-1]'
    fi

    local out
    out=$(kubectl-rs __complete "${words[@]:1}" "$cur" 2>/dev/null) || return
    local directive="${out##*:}"
    [[ "$directive" =~ ^[0-9]+$ ]] || directive=0
    out="${out%:*}"

    local -a candidates=()
    local c
    while IFS='' read -r c; do
        [[ -n "$c" ]] && candidates+=("${c%%$'\t'*}")
    done <<< "$out"

    if (( directive & 1 )); then
        return
    fi
    if (( directive & 2 )); then
        compopt -o nospace 2>/dev/null
    fi
    if (( directive & 32 )); then
        compopt -o nosort 2>/dev/null
    fi
    if (( directive & 8 )); then
        # Candidates are file extensions to keep.
        local ext
        ext=$(IFS='|'; echo "${candidates[*]}")
        compopt -o filenames 2>/dev/null
        COMPREPLY=( $(compgen -f -X "!*.@($ext)" -- "$cur"; compgen -d -- "$cur") )
        return
    fi
    if (( directive & 16 )); then
        compopt -o filenames 2>/dev/null
        COMPREPLY=( $(compgen -d -- "$cur") )
        return
    fi
    if (( ${#candidates[@]} == 0 )); then
        if (( directive & 4 )); then
            compopt +o default 2>/dev/null
        fi
        return
    fi

    # bash replaces only the text after the last COMP_WORDBREAKS character (`=`, `:`):
    # drop that part of the word from each candidate.
    local keep="${cur%"${cur##*[=:]}"}"
    COMPREPLY=()
    for c in "${candidates[@]}"; do
        COMPREPLY+=("${c#"$keep"}")
    done
}

complete -o default -F __kubectl_rs_complete kubectl-rs
