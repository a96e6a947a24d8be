from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'page.j2'

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
    try:
        t_2 = environment.filters['mathml']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'mathml' found.")
    pass
    def macro(l_1_title):
        t_3 = []
        if l_1_title is missing:
            l_1_title = undefined("parameter 'title' was not provided", name='title')
        pass
        t_3.extend((
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="generator" content="derive">\n<title>',
            str(t_1(l_1_title)),
            '</title>\n<style>\nbody { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5; color: #1b1b1b;\n       max-width: 52rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }\nh1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; margin-top: 2rem; } h3, h4, h5 { font-size: 1.05rem; }\n.math { overflow-x: auto; overflow-y: hidden; margin: 0.6rem 0; padding: 0.2rem 0; }\nmath { font-size: 1.1em; }\nmath[display="block"] { display: block math; }\n/* A derivation lines up on its = like LaTeX\'s aligned: right-aligned left-hand sides, left-aligned\n   right-hand sides, no cell padding between them (Chromium\'s MathML ignores columnalign). */\nmtable.aligned > mtr > mtd { padding-left: 0; padding-right: 0; }\nmtable.aligned > mtr > mtd:nth-child(odd) { text-align: right; }\nmtable.aligned > mtr > mtd:nth-child(even) { text-align: left; }\nimg { max-width: 100%; height: auto; }\nfigure { margin: 1rem 0; } figcaption { font-size: 0.9rem; color: #555; }\n</style>\n</head>\n<body>\n<h1>',
            str(t_1(l_1_title)),
            '</h1>\n',
        ))
        return concat(t_3)
    context.exported_vars.add('begin')
    context.vars['begin'] = l_0_begin = Macro(environment, macro, 'begin', ('title',), False, False, False, context.eval_ctx.autoescape)
    def macro():
        t_4 = []
        pass
        t_4.append(
            '</body>\n</html>\n',
        )
        return concat(t_4)
    context.exported_vars.add('end')
    context.vars['end'] = l_0_end = Macro(environment, macro, 'end', (), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_5 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_5.extend((
            '<h2>',
            str(l_1_text),
            '</h2>\n',
        ))
        return concat(t_5)
    context.exported_vars.add('h2')
    context.vars['h2'] = l_0_h2 = Macro(environment, macro, 'h2', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_6 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_6.extend((
            '<h3>',
            str(l_1_text),
            '</h3>\n',
        ))
        return concat(t_6)
    context.exported_vars.add('h3')
    context.vars['h3'] = l_0_h3 = Macro(environment, macro, 'h3', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_7 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_7.extend((
            '<h4>',
            str(l_1_text),
            '</h4>\n',
        ))
        return concat(t_7)
    context.exported_vars.add('h4')
    context.vars['h4'] = l_0_h4 = Macro(environment, macro, 'h4', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_8 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_8.extend((
            '<strong>',
            str(l_1_text),
            '</strong>',
        ))
        return concat(t_8)
    context.exported_vars.add('b')
    context.vars['b'] = l_0_b = Macro(environment, macro, 'b', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_math):
        t_9 = []
        if l_1_math is missing:
            l_1_math = undefined("parameter 'math' was not provided", name='math')
        pass
        t_9.append(
            str(t_2(l_1_math)),
        )
        return concat(t_9)
    context.exported_vars.add('i')
    context.vars['i'] = l_0_i = Macro(environment, macro, 'i', ('math',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_math):
        t_10 = []
        if l_1_math is missing:
            l_1_math = undefined("parameter 'math' was not provided", name='math')
        pass
        t_10.extend((
            '<div class="math">',
            str(t_2(l_1_math, display=True)),
            '</div>\n',
        ))
        return concat(t_10)
    context.exported_vars.add('display')
    context.vars['display'] = l_0_display = Macro(environment, macro, 'display', ('math',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_11 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_11.extend((
            '<p>',
            str(l_1_text),
            '</p>\n',
        ))
        return concat(t_11)
    context.exported_vars.add('para')
    context.vars['para'] = l_0_para = Macro(environment, macro, 'para', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_lines):
        t_12 = []
        if l_1_lines is missing:
            l_1_lines = undefined("parameter 'lines' was not provided", name='lines')
        pass
        t_12.append(
            '<ul>\n',
        )
        for l_2_line in l_1_lines:
            _loop_vars = {}
            pass
            t_12.extend((
                '<li>',
                str(l_2_line),
                '</li>\n',
            ))
        l_2_line = missing
        t_12.append(
            '</ul>\n',
        )
        return concat(t_12)
    context.exported_vars.add('items')
    context.vars['items'] = l_0_items = Macro(environment, macro, 'items', ('lines',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_fig):
        t_13 = []
        if l_1_fig is missing:
            l_1_fig = undefined("parameter 'fig' was not provided", name='fig')
        pass
        t_13.extend((
            '<figure><img src="',
            str(environment.getattr(l_1_fig, 'uri')),
            '" alt="',
            str(t_1(environment.getattr(l_1_fig, 'caption'))),
            '"><figcaption>',
            str(t_1(environment.getattr(l_1_fig, 'caption'))),
            '</figcaption></figure>\n',
        ))
        return concat(t_13)
    context.exported_vars.add('figure')
    context.vars['figure'] = l_0_figure = Macro(environment, macro, 'figure', ('fig',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '2=24&9=31&27=33&29=39&33=48&34=55&36=61&37=68&39=74&40=81&42=87&43=100&44=111&45=118&47=124&48=131&50=137&52=145&53=150&57=160&58=167'