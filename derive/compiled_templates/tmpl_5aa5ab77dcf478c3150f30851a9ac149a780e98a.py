from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'check.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_spec = resolve('spec')
    l_0_percent = resolve('percent')
    l_0_fields = resolve('fields')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_3 = environment.filters['md']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'md' found.")
    try:
        t_4 = environment.filters['upper']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'upper' found.")
    pass
    yield '# '
    yield str(t_3((undefined(name='title') if l_0_title is missing else l_0_title)))
    yield '\n\nMarked against the worked solution of `'
    yield str((undefined(name='spec') if l_0_spec is missing else l_0_spec))
    yield '`. Score: **'
    yield str((undefined(name='percent') if l_0_percent is missing else l_0_percent))
    yield '%** of the submitted cells (a carried cell earns partial credit).\n\n| field | verdict | note |\n| --- | --- | --- |\n'
    for l_1_f in (undefined(name='fields') if l_0_fields is missing else l_0_fields):
        _loop_vars = {}
        pass
        yield '| `'
        yield str(environment.getattr(l_1_f, 'name'))
        yield '` | '
        yield str(environment.getattr(l_1_f, 'verdict'))
        yield ' | '
        yield str((environment.getattr(l_1_f, 'note') or ''))
        yield ' |\n'
    l_1_f = missing
    yield '\n'
    def t_5(fiter):
        for l_1_f in fiter:
            if (environment.getattr(l_1_f, 'verdict') != 'correct'):
                yield l_1_f
    for l_1_f in t_5((undefined(name='fields') if l_0_fields is missing else l_0_fields)):
        _loop_vars = {}
        pass
        yield '## `'
        yield str(environment.getattr(l_1_f, 'name'))
        yield '`: '
        yield str(environment.getattr(l_1_f, 'verdict'))
        yield '\n\n'
        if environment.getattr(l_1_f, 'note'):
            pass
            yield str(t_4(environment.getattr(l_1_f, 'note')[:1]))
            yield str(environment.getattr(l_1_f, 'note')[1:])
            yield '.\n\n'
        if environment.getattr(l_1_f, 'table'):
            pass
            yield 'Verdict of each cell (rows down, columns across):\n\n| '
            yield str(t_1(context.eval_ctx, environment.getattr(environment.getattr(l_1_f, 'table'), 'header'), ' | '))
            yield ' |\n|'
            for l_2__ in environment.getattr(environment.getattr(l_1_f, 'table'), 'header'):
                _loop_vars = {}
                pass
                yield ' --- |'
            l_2__ = missing
            yield '\n'
            for l_2_row in environment.getattr(environment.getattr(l_1_f, 'table'), 'rows'):
                _loop_vars = {}
                pass
                yield '| '
                yield str(t_1(context.eval_ctx, l_2_row, ' | '))
                yield ' |\n'
            l_2_row = missing
            yield '\n'
        yield 'Submitted:\n\n$$\n'
        yield str(environment.getattr(l_1_f, 'submitted'))
        yield '\n$$\n\nCorrect:\n\n$$\n'
        yield str(environment.getattr(l_1_f, 'expected'))
        yield '\n$$\n\n'
        if environment.getattr(l_1_f, 'worked'):
            pass
            yield 'The correct step'
            yield str(('s' if (t_2(environment.getattr(l_1_f, 'worked')) > 1) else cond_expr_undefined("the inline if-expression on line 43 in 'check.j2' evaluated to false and no else section was defined.")))
            yield ':\n\n'
            for l_2_eq in environment.getattr(l_1_f, 'worked'):
                _loop_vars = {}
                pass
                yield '$$\n'
                yield str(l_2_eq)
                yield '\n$$\n\n'
            l_2_eq = missing
    l_1_f = missing

blocks = {}
debug_info = '2=40&4=42&8=46&9=50&12=58&13=66&15=70&16=72&19=75&22=78&23=80&25=86&26=90&33=95&39=97&42=99&43=102&45=104&47=108'