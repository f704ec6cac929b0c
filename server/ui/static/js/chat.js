// chat.js shows an LLM call's messages as a conversation: the prompt
// (system prompt set apart), then the model's answer, with tool calls and
// their arguments.

import {h, capped, textBlock, chip} from './dom.js';

function toolCall(call) {
  return h('div', {class: 'tool-call'},
    h('div', {class: 'tool-call-head'},
      h('span', {class: 'tool-call-icon', 'aria-hidden': 'true'}, 'ƒ'),
      h('span', {class: 'tool-call-name'}, call.name || '(unnamed tool)'),
      call.id ? h('span', {class: 'muted mono'}, call.id) : null),
    call.arguments ? textBlock(call.arguments) : h('div', {class: 'muted'}, 'no arguments'));
}

function message(m) {
  const role = m.role || 'unknown';
  const system = role === 'system' || role === 'developer';
  const cls = system ? 'system' : ['user', 'assistant', 'tool'].includes(role) ? role : 'other';
  const head = h('div', {class: 'msg-head'},
    h('span', {class: 'msg-role'}, system ? `${role} prompt` : role),
    m.tool_call_id ? h('span', {class: 'muted mono', title: 'the tool call this answers'}, `↳ ${m.tool_call_id}`) : null,
    m.finish_reason ? chip(`finish: ${m.finish_reason}`, 'chip-quiet') : null);
  const body = [];
  if (m.content) {
    body.push(role === 'tool' ? textBlock(m.content) : h('div', {class: 'msg-text'}, capped(m.content)));
  }
  for (const call of m.tool_calls || []) body.push(toolCall(call));
  if (body.length === 0) body.push(h('div', {class: 'muted'}, 'no content recorded'));
  return h('div', {class: `msg msg-${cls}`}, head, ...body);
}

// chatView renders derived.messages; input messages first, then output.
export function chatView(messages) {
  const input = messages.filter((m) => m.direction !== 'output');
  const output = messages.filter((m) => m.direction === 'output');
  return h('div', {class: 'chat'},
    input.map(message),
    output.length ? h('div', {class: 'chat-divider'}, h('span', null, 'response')) : null,
    output.map(message));
}
