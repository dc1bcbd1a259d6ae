// TypeDoc plugin: lets `{@link InvalidArgumentError}` in any module resolve to the shared core
// declarations that only the root entry (`responsible-tfjs`) exports: the typed errors, random
// sources and chart writers.
//
// Each subpath module (`responsible-tfjs/privacy`, ...) owns the pages of its own declarations, so
// TypeDoc's name lookup from, say, `responsible-tfjs/compression.quantize` searches that module and
// never reaches the root module where `InvalidArgumentError` lives. Before TypeDoc resolves links,
// this plugin points every still-unresolved link whose target is a bare name of a root declaration
// at that declaration. Links TypeDoc can resolve itself are left alone.
import { Converter, Reflection } from 'typedoc';

const ROOT_MODULE = 'responsible-tfjs';
const LINK_TAGS = new Set(['@link', '@linkcode', '@linkplain']);

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_END,
    (context) => {
      const project = context.project;
      const root = project.children?.find((c) => c.name === ROOT_MODULE);
      if (!root) return;
      const byName = new Map((root.children ?? []).filter((c) => !c.isReference()).map((c) => [c.name, c]));
      const retarget = (parts) => {
        for (const part of parts) {
          if (part.kind !== 'inline-tag' || !LINK_TAGS.has(part.tag) || part.target !== undefined) continue;
          const match = /^\s*([A-Za-z_$][\w$]*)\s*(?:\|\s*(.*))?$/s.exec(part.text);
          const target = match && byName.get(match[1]);
          if (!target) continue;
          part.target = target;
          part.text = match[2]?.trim() || target.name;
        }
      };
      for (const reflection of Object.values(project.reflections)) {
        if (!(reflection instanceof Reflection) || !reflection.comment) continue;
        retarget(reflection.comment.summary);
        for (const tag of reflection.comment.blockTags) retarget(tag.content);
      }
    },
    // Before TypeDoc's own link resolution (priority -300).
    0,
  );
}
