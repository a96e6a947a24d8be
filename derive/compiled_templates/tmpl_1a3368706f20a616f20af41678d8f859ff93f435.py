from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'statement.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_markup = resolve('markup')
    l_0_statement = resolve('statement')
    l_0_given = resolve('given')
    l_0_m = l_0_s = l_0_f = l_0_displays = missing
    try:
        t_1 = environment.tests['defined']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No test named 'defined' found.")
    pass
    l_0_m = context.vars['m'] = environment.get_template((undefined(name='markup') if l_0_markup is missing else l_0_markup), 'statement.j2')._get_default_module(context)
    context.exported_vars.discard('m')
    l_0_s = (undefined(name='statement') if l_0_statement is missing else l_0_statement)
    context.vars['s'] = l_0_s
    context.exported_vars.add('s')
    l_0_f = environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'f')
    context.vars['f'] = l_0_f
    context.exported_vars.add('f')
    def macro(l_1_items):
        t_2 = []
        if l_1_items is missing:
            l_1_items = undefined("parameter 'items' was not provided", name='items')
        pass
        for l_2_item in l_1_items:
            _loop_vars = {}
            pass
            t_2.append(
                str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), l_2_item, _loop_vars=_loop_vars)),
            )
        l_2_item = missing
        return concat(t_2)
    context.exported_vars.add('displays')
    context.vars['displays'] = l_0_displays = Macro(environment, macro, 'displays', ('items',), False, False, False, context.eval_ctx.autoescape)
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'), 'Problem Statement'))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('A ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'input')), ' ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'channels'), 'input image', ))), ' is ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'verb'), ' with ', (context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters'), ' filters (kernels) of size ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'kernel')), ))) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else str_join(('a ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'kernel')), ' filter (kernel)', ))), ))), (str_join((' and a bias ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'b')), )) if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'bias') and environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'rank2')) else (' and a bias per filter' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'bias') else '')), ' to produce ', (context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters'), ' feature maps of size ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'conv_output')), ))) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else str_join(('a ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'conv_output')), ' output feature map', ))), ))), ' (stride ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'stride'), ', ', (str_join(('zero padding ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'padding'), )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'padding') else 'no padding'), (str_join((', dilation ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'dilation'), )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'dilation') else ''), ').', (str_join((' With stride ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'stride'), ', ', environment.getattr(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'unvisited'), 'cells'), ' of the ', ('padded ' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'padding') else ''), 'input ', ('are' if environment.getattr(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'unvisited'), 'many') else 'is'), ' never visited by the kernel and ', ('do' if environment.getattr(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'unvisited'), 'many') else 'does'), ' not affect the output.', )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'unvisited') else ''), (str_join((' A ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'activation_name')), ' activation follows the convolution.', )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'activation_name') else ''), (str_join((' A ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling'), ' pooling', ))), ' layer (window ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pool_size')), ', stride ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pool_stride'), ') reduces ', ('each map' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else 'it'), ' to ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'output')), '.', )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling') else ''), ' The goal is to update the filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), (' and the bias' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'bias') else ''), ' using ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join(('gradient descent', (' with momentum' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'momentum') else ''), ))), ' to minimize the difference between the computed output and a ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join(('target output (', (str_join((environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters'), ' ground-truth maps of ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'output')), ', one per filter', )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else 'ground truth feature map'), ')', ))), '.', ))))
    if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'operation') == 'convolution'):
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('The operation is ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), 'convolution'), ' in the textbook sense: the filter is flipped (rotated by 180°) before it slides over the image.', ))))
    else:
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('The operation is ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), 'cross-correlation'), ', which deep-learning libraries call convolution: the filter slides over the image without being flipped.', ))))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('We will perform ', ('one step' if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'iterations') == 1) else str_join((environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'iterations'), ' steps', ))), ' of backpropagation and gradient descent using the ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'loss_name')), ' loss, over the ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join(('n = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'n'), ))), ' output cells', (str_join((' (', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters'), ' maps of ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'output')), ')', )) if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ':', ))))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'loss')))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'), 'Given Data'))
    l_1_loop = missing
    for l_1_item, l_1_loop in LoopContext((undefined(name='given') if l_0_given is missing else l_0_given), undefined):
        _loop_vars = {}
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join((environment.getattr(l_1_loop, 'index'), '. ', environment.getattr(l_1_item, 'label'), (str_join((' (', (str_join((environment.getattr(l_1_item, 'maps'), ' maps of ', )) if (t_1(environment.getattr(l_1_item, 'maps')) and environment.getattr(l_1_item, 'maps')) else ''), context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr(l_1_item, 'size'), _loop_vars=_loop_vars), ')', )) if environment.getattr(l_1_item, 'size') else ''), )), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_item, 'math'), _loop_vars=_loop_vars))
    l_1_loop = l_1_item = missing

blocks = {}
debug_info = '2=21&3=23&4=26&5=29&6=44&7=45&17=46&18=48&20=51&22=52&24=53&25=54&26=56&27=59&28=60'