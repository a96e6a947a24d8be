from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'lms.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_begin = l_0_end = l_0_h2 = l_0_h3 = l_0_h4 = l_0_b = l_0_i = l_0_display = l_0_para = l_0_items = l_0_figure = missing
    try:
        t_1 = environment.filters['e']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'e' found.")
    pass
    def macro(l_1_title):
        t_2 = []
        if l_1_title is missing:
            l_1_title = undefined("parameter 'title' was not provided", name='title')
        pass
        t_2.extend((
            '<h2>',
            str(t_1(l_1_title)),
            '</h2>\n',
        ))
        return concat(t_2)
    context.exported_vars.add('begin')
    context.vars['begin'] = l_0_begin = Macro(environment, macro, 'begin', ('title',), False, False, False, context.eval_ctx.autoescape)
    def macro():
        t_3 = []
        pass
        return concat(t_3)
    context.exported_vars.add('end')
    context.vars['end'] = l_0_end = Macro(environment, macro, 'end', (), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_4 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_4.extend((
            '<h3>',
            str(l_1_text),
            '</h3>\n',
        ))
        return concat(t_4)
    context.exported_vars.add('h2')
    context.vars['h2'] = l_0_h2 = Macro(environment, macro, 'h2', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_5 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_5.extend((
            '<h4>',
            str(l_1_text),
            '</h4>\n',
        ))
        return concat(t_5)
    context.exported_vars.add('h3')
    context.vars['h3'] = l_0_h3 = Macro(environment, macro, 'h3', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_6 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_6.extend((
            '<h5>',
            str(l_1_text),
            '</h5>\n',
        ))
        return concat(t_6)
    context.exported_vars.add('h4')
    context.vars['h4'] = l_0_h4 = Macro(environment, macro, 'h4', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_7 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_7.extend((
            '<strong>',
            str(l_1_text),
            '</strong>',
        ))
        return concat(t_7)
    context.exported_vars.add('b')
    context.vars['b'] = l_0_b = Macro(environment, macro, 'b', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_math):
        t_8 = []
        if l_1_math is missing:
            l_1_math = undefined("parameter 'math' was not provided", name='math')
        pass
        t_8.extend((
            '\\(',
            str(t_1(l_1_math)),
            '\\)',
        ))
        return concat(t_8)
    context.exported_vars.add('i')
    context.vars['i'] = l_0_i = Macro(environment, macro, 'i', ('math',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_math):
        t_9 = []
        if l_1_math is missing:
            l_1_math = undefined("parameter 'math' was not provided", name='math')
        pass
        t_9.extend((
            '<p>\\[',
            str(t_1(l_1_math)),
            '\\]</p>\n',
        ))
        return concat(t_9)
    context.exported_vars.add('display')
    context.vars['display'] = l_0_display = Macro(environment, macro, 'display', ('math',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_10 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_10.extend((
            '<p>',
            str(l_1_text),
            '</p>\n',
        ))
        return concat(t_10)
    context.exported_vars.add('para')
    context.vars['para'] = l_0_para = Macro(environment, macro, 'para', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_lines):
        t_11 = []
        if l_1_lines is missing:
            l_1_lines = undefined("parameter 'lines' was not provided", name='lines')
        pass
        t_11.append(
            '<ul>\n',
        )
        for l_2_line in l_1_lines:
            _loop_vars = {}
            pass
            t_11.extend((
                '<li>',
                str(l_2_line),
                '</li>\n',
            ))
        l_2_line = missing
        t_11.append(
            '</ul>\n',
        )
        return concat(t_11)
    context.exported_vars.add('items')
    context.vars['items'] = l_0_items = Macro(environment, macro, 'items', ('lines',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_fig):
        t_12 = []
        if l_1_fig is missing:
            l_1_fig = undefined("parameter 'fig' was not provided", name='fig')
        pass
        return concat(t_12)
    context.exported_vars.add('figure')
    context.vars['figure'] = l_0_figure = Macro(environment, macro, 'figure', ('fig',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '2=18&3=25&5=31&6=37&7=44&9=50&10=57&12=63&13=70&15=76&16=89&17=102&18=109&20=115&21=122&23=128&25=136&26=141&30=151'