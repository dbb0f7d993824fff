"""Stop words of the voice-of-the-customer themes: words that say nothing about the theme."""

STOP_ZH = frozenset(
    """
的 了 和 是 在 我 有 也 就 不 都 而 及 与 着 或 一个 没有 我们 你们 他们 她们 它们 这个 那个
这些 那些 这样 那样 什么 怎么 为什么 因为 所以 但是 而且 然后 如果 虽然 可以 已经 还是 就是
还有 一下 一些 一直 非常 比较 特别 真的 现在 之后 之前 时候 今天 昨天 明天 时间 问题 情况
请问 你好 您好 谢谢 麻烦 希望 需要 觉得 知道 应该 可能 不能 不会 不是 没 很 太 又 再 才 被
把 让 给 对 从 到 向 跟 说 要 会 能 去 来 上 下 里 中 后 前 吗 呢 吧 啊 呀 哦 嗯 您 你 他 她 它
这 那 哪 谁 个 次 件 台 位 天 月 年 号 已 为 以 于 之 其 等 并 但 却 则 还 更 最 只 能够 进行
一次 两次 多次 客户 顾客 用户 公司 我家 自己 反映 表示 发现 出现 目前 结果 处理 一样
""".split()
)

STOP_EN = frozenset(
    """
a an the and or but if then else when while of to in on at by for with about against between
into through during before after above below from up down out off over under again further
once here there all any both each few more most other some such no nor not only own same so
than too very can will just don should now is are was were be been being have has had having
do does did doing would could i me my myself we our ours you your yours he him his she her
it its they them their what which who whom this that these those am get got also still
please thanks thank hello dear sir madam one two three times day days week weeks month
again already yet since because until didn't doesn't isn't wasn't won't can't cannot i'm
it's i've we've you're they're there's let us ok okay
""".split()
)
