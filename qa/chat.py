"""The chat page at / (Gradio): one conversation turn at a time, rendered by qa.web, rated with 👍/👎."""

from __future__ import annotations

import gradio as gr

from .answer import BadQuestion
from .service import NOT_READY_ZH, Service
from .web import EXAMPLES, render_answer_html


def chat_turn(service: Service, message: str, messages: list, questions: list, answers: list, k: int):
    """One chat turn: append the question and the rendered answer; remember the question for follow-ups."""
    messages = [*messages, {"role": "user", "content": message}]
    qa = service.assistant()
    if qa is None:
        reply, answer = service.error_zh or NOT_READY_ZH, None
    else:
        try:
            answer = qa.ask(message, k=int(k), history=questions)
            reply = render_answer_html(answer, qa.surrounding)
        except BadQuestion as exc:
            reply, answer = str(exc), None
    messages.append({"role": "assistant", "content": reply})
    if answer is not None:
        questions = [*questions, answer.question]
    answers = [*answers, answer.to_dict() if answer else None]
    return messages, questions, answers


def rate(service: Service, answers: list, index: int, liked: bool) -> str:
    """Store 👍/👎 for the answer at chat position ``index`` (user and assistant messages alternate)."""
    turn = index // 2 if isinstance(index, int) else index[0] // 2
    if not 0 <= turn < len(answers) or answers[turn] is None:
        return ""
    service.feedback.record("up" if liked else "down", answers[turn])
    return "谢谢反馈！" if liked else "已记录，我们会改进这个回答。"


def chat_page(service: Service) -> gr.Blocks:
    with gr.Blocks(title="政策问答") as page:
        gr.Markdown("# 政策问答\n用日常的话提问，回答附文件出处：标题、发文单位、日期、章节，答案句已标出。")
        chatbot = gr.Chatbot(label="对话", height=560, elem_id="chat")
        questions, answers = gr.State([]), gr.State([])
        with gr.Row():
            box = gr.Textbox(
                placeholder="例如：老年人科学素质提升行动谁牵头？",
                show_label=False,
                scale=8,
                elem_id="question",
                max_length=500,
            )
            send = gr.Button("提问", variant="primary", scale=1)
        with gr.Row():
            k = gr.Slider(1, 10, value=service.settings.top_k, step=1, label="显示段落数")
            new = gr.Button("新对话")
        status = gr.Markdown()
        gr.Examples(EXAMPLES, inputs=box, label="示例问题")

        def turn(message, messages, qs, ans, k_value):
            if not (message or "").strip():
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            m, q, a = chat_turn(service, message, messages or [], qs or [], ans or [], k_value)
            return m, q, a, ""

        for trigger in (box.submit, send.click):
            trigger(turn, [box, chatbot, questions, answers, k], [chatbot, questions, answers, box])
        new.click(lambda: ([], [], [], ""), None, [chatbot, questions, answers, status])

        def like(ans, data: gr.LikeData):
            return rate(service, ans or [], data.index, bool(data.liked))

        chatbot.like(like, [answers], [status])
    return page
