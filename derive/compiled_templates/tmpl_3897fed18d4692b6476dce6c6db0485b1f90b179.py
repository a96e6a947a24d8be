from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'problem.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_markup = resolve('markup')
    l_0_title = resolve('title')
    l_0_tasks = resolve('tasks')
    l_0_statement = resolve('statement')
    l_0_lines = resolve('lines')
    l_0_precision = resolve('precision')
    l_0_m = missing
    pass
    l_0_m = context.vars['m'] = environment.get_template((undefined(name='markup') if l_0_markup is missing else l_0_markup), 'problem.j2')._get_default_module(context)
    context.exported_vars.discard('m')
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'begin'), (undefined(name='title') if l_0_title is missing else l_0_title)))
    template = environment.get_template('statement.j2', 'problem.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {'lines': l_0_lines, 'm': l_0_m}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    if (undefined(name='tasks') if l_0_tasks is missing else l_0_tasks):
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'), 'Tasks'))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Compute, by hand and showing your working', (str_join((', for each of the ', environment.getattr((undefined(name='statement') if l_0_statement is missing else l_0_statement), 'iterations'), ' iterations', )) if (environment.getattr((undefined(name='statement') if l_0_statement is missing else l_0_statement), 'iterations') > 1) else ''), ':', ))))
        l_0_lines = []
        context.vars['lines'] = l_0_lines
        context.exported_vars.add('lines')
        for l_1_task in (undefined(name='tasks') if l_0_tasks is missing else l_0_tasks):
            l_1__ = missing
            _loop_vars = {}
            pass
            l_1__ = context.call(environment.getattr((undefined(name='lines') if l_0_lines is missing else l_0_lines), 'append'), str_join((environment.getattr(l_1_task, 'text'), ' ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr(l_1_task, 'symbol'), _loop_vars=_loop_vars), )), _loop_vars=_loop_vars)
            _loop_vars['_'] = l_1__
        l_1_task = l_1__ = missing
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'items'), (undefined(name='lines') if l_0_lines is missing else l_0_lines)))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Give every value that does not terminate rounded to ', (undefined(name='precision') if l_0_precision is missing else l_0_precision), ' decimals.', ))))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'end')))

blocks = {}
debug_info = '2=18&3=20&4=21&5=27&6=29&7=30&8=31&9=34&10=38&12=41&14=42&15=43'