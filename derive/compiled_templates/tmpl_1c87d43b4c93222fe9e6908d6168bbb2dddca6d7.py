from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'latex.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_begin = l_0_end = l_0_h2 = l_0_h3 = l_0_h4 = l_0_b = l_0_i = l_0_display = l_0_para = l_0_items = l_0_figure = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['tex']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'tex' found.")
    pass
    def macro(l_1_title):
        t_3 = []
        if l_1_title is missing:
            l_1_title = undefined("parameter 'title' was not provided", name='title')
        pass
        t_3.extend((
            '\\documentclass[11pt]{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amsmath,amssymb}\n\\usepackage{graphicx}\n\\usepackage[margin=2cm]{geometry}\n\\setcounter{MaxMatrixCols}{64}\n\\allowdisplaybreaks\n\\makeatletter\n% A worked solution is mostly displays and short headings: tighter spacing than the article\n% defaults keeps a page full (the defaults leave a third of it white).\n\\renewcommand\\subsection{\\@startsection{subsection}{2}{\\z@}{-2ex \\@plus -.5ex \\@minus -.2ex}{.8ex \\@plus .2ex}{\\normalfont\\large\\bfseries}}\n\\renewcommand\\subsubsection{\\@startsection{subsubsection}{3}{\\z@}{-1.8ex \\@plus -.5ex \\@minus -.2ex}{.6ex \\@plus .2ex}{\\normalfont\\normalsize\\bfseries}}\n\\makeatother\n\\title{',
            str(t_2(l_1_title)),
            '}\n\\date{}\n\\begin{document}\n\\setlength{\\abovedisplayskip}{6pt plus 2pt minus 3pt}\n\\setlength{\\belowdisplayskip}{6pt plus 2pt minus 3pt}\n\\setlength{\\abovedisplayshortskip}{2pt plus 2pt}\n\\setlength{\\belowdisplayshortskip}{4pt plus 2pt minus 2pt}\n\\maketitle\n\n',
        ))
        return concat(t_3)
    context.exported_vars.add('begin')
    context.vars['begin'] = l_0_begin = Macro(environment, macro, 'begin', ('title',), False, False, False, context.eval_ctx.autoescape)
    def macro():
        t_4 = []
        pass
        t_4.append(
            '\\end{document}\n',
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
            '\\section*{',
            str(l_1_text),
            '}\n\n',
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
            '\\subsection*{',
            str(l_1_text),
            '}\n\n',
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
            '\\subsubsection*{',
            str(l_1_text),
            '}\n\n',
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
            '\\textbf{',
            str(l_1_text),
            '}',
        ))
        return concat(t_8)
    context.exported_vars.add('b')
    context.vars['b'] = l_0_b = Macro(environment, macro, 'b', ('text',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_math):
        t_9 = []
        if l_1_math is missing:
            l_1_math = undefined("parameter 'math' was not provided", name='math')
        pass
        t_9.extend((
            '$',
            str(l_1_math),
            '$',
        ))
        return concat(t_9)
    context.exported_vars.add('i')
    context.vars['i'] = l_0_i = Macro(environment, macro, 'i', ('math',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_math):
        t_10 = []
        if l_1_math is missing:
            l_1_math = undefined("parameter 'math' was not provided", name='math')
        pass
        if (context.call(environment.getattr(l_1_math, 'startswith'), '\\begin{aligned}') and context.call(environment.getattr(l_1_math, 'endswith'), '\\end{aligned}')):
            pass
            t_10.extend((
                '\\begin{align*}\n',
                str(l_1_math[15:-13]),
                '\n\\end{align*}\n',
            ))
        elif (((context.call(environment.getattr(l_1_math, 'count'), '\\begin{bmatrix}') == 1) and ('aligned' not in l_1_math)) and (t_1(l_1_math) > 600)):
            pass
            t_10.extend((
                '\\[\n\\resizebox{\\linewidth}{!}{$\\displaystyle ',
                str(l_1_math),
                '$}\n\\]\n',
            ))
        else:
            pass
            t_10.extend((
                '\\[\n',
                str(l_1_math),
                '\n\\]\n',
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
            '\\par\n',
            str(l_1_text),
            '\n',
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
            '\\begin{itemize}\n',
        )
        for l_2_line in l_1_lines:
            _loop_vars = {}
            pass
            t_12.extend((
                '\\item ',
                str(l_2_line),
                '\n',
            ))
        l_2_line = missing
        t_12.append(
            '\\end{itemize}\n\n',
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
            '\\begin{center}\n\\includegraphics[width=0.9\\linewidth,height=0.35\\textheight,keepaspectratio]{',
            str(environment.getattr(l_1_fig, 'path')),
            '}\\\\\n{\\small ',
            str(environment.getattr(l_1_fig, 'caption')),
            '}\n\\end{center}\n\n',
        ))
        return concat(t_13)
    context.exported_vars.add('figure')
    context.vars['figure'] = l_0_figure = Macro(environment, macro, 'figure', ('fig',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '2=24&16=31&26=37&29=46&30=53&33=59&34=66&37=72&38=79&41=85&42=98&43=111&46=116&49=120&51=123&54=127&58=134&62=140&65=147&67=153&69=161&70=166&75=176&77=183&78=185'