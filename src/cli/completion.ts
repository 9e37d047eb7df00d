/**
 * `cnab-trust completion [bash|zsh]`: a shell completion script. Both scripts ask the CLI itself for the
 * candidates (`cnab-trust --get-yargs-completions <words so far>`, which yargs answers from the commands and flags
 * it knows), and fall back to file names when it has none (bundles, keys, layouts are files).
 *
 *   source <(cnab-trust completion bash)           # or add it to ~/.bashrc
 *   cnab-trust completion zsh > "${fpath[1]}/_cnab-trust"
 */
import path from 'node:path';
import { CnabTrustError } from '../core/errors.js';

const BASH = `# cnab-trust completion for bash: source <(cnab-trust completion bash)
_cnab_trust_completions() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" candidates
  local IFS=$'\\n'
  candidates=$(SHELL=/bin/bash cnab-trust --get-yargs-completions "\${COMP_WORDS[@]:0:COMP_CWORD+1}" 2>/dev/null)
  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))
  if [ \${#COMPREPLY[@]} -eq 0 ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _cnab_trust_completions cnab-trust
`;

const ZSH = `#compdef cnab-trust
# cnab-trust completion for zsh: cnab-trust completion zsh > "\${fpath[1]}/_cnab-trust" (or: source <(cnab-trust completion zsh))
_cnab_trust() {
  local -a candidates
  candidates=("\${(@f)$(SHELL=/bin/bash cnab-trust --get-yargs-completions "\${words[@]:0:$CURRENT}" 2>/dev/null)}")
  if (( \${#candidates} )) && [[ -n "\${candidates[1]}" ]]; then
    compadd -- "\${candidates[@]}"
  else
    _files
  fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _cnab_trust "$@"
else
  compdef _cnab_trust cnab-trust
fi
`;

/** The script for the shell named in `args` (default: the login shell's name in $SHELL, else bash). */
export function completionScript(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const shell = args.find((a) => !a.startsWith('-')) ?? (path.basename(env['SHELL'] ?? '') === 'zsh' ? 'zsh' : 'bash');
  if (shell === 'bash') return BASH;
  if (shell === 'zsh') return ZSH;
  throw new CnabTrustError('E_USAGE', `no completion for the shell '${shell}'`, { subject: 'command line', hint: 'cnab-trust completion bash, or cnab-trust completion zsh' });
}
