# powershell completion for kubectl-rs
#
# Speaks cobra's completion protocol: asks `kubectl-rs __complete <words> <current word>` for
# candidates, so completions come from the live cluster (resource types, names, namespaces).

Register-ArgumentCompleter -CommandName 'kubectl-rs' -Native -ScriptBlock {
    param($WordToComplete, $CommandAst, $CursorPosition)

    $line = $CommandAst.Extent.ToString()
    if ($line.Length -gt $CursorPosition) { $line = $line.Substring(0, $CursorPosition) }
    $words = @($line.Trim() -split '\s+' | Select-Object -Skip 1)
    if ($WordToComplete -ne '' -and $words.Count -gt 0) {
        $words = @($words | Select-Object -SkipLast 1)
    }
    $out = @(& 'kubectl-rs' __complete @words "$WordToComplete" 2>$null)
    if ($out.Count -eq 0) { return }
    $directive = 0
    [int]::TryParse(($out[-1] -replace '^:', ''), [ref]$directive) | Out-Null
    $out = @($out | Select-Object -SkipLast 1)
    if ($directive -band 1) { return }
    if (($out.Count -eq 0) -and -not ($directive -band 4)) { return }
    # `--flag=value`: the answer holds bare values, the word keeps its `--flag=` part.
    $prefix = ''
    if ($WordToComplete -match '^(-[^=]*=)') { $prefix = $Matches[1] }
    foreach ($item in $out) {
        $parts = $item -split "`t", 2
        $name = $prefix + $parts[0]
        $desc = if ($parts.Count -gt 1 -and $parts[1]) { $parts[1] } else { $name }
        if ($directive -band 2) {
            [System.Management.Automation.CompletionResult]::new($name, $name, 'ParameterValue', $desc)
        } else {
            [System.Management.Automation.CompletionResult]::new("$name ", $name, 'ParameterValue', $desc)
        }
    }
}
