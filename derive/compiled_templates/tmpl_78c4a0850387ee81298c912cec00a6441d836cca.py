from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'document.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_markup = resolve('markup')
    l_0_statement = resolve('statement')
    l_0_title = resolve('title')
    l_0_iterations = resolve('iterations')
    l_0_final = resolve('final')
    l_0_m = l_0_s = l_0_f = l_0_displays = l_0_figures_at = l_0_many = l_0_step = l_0_part = missing
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
        t_3 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_4 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_5 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    l_0_m = context.vars['m'] = environment.get_template((undefined(name='markup') if l_0_markup is missing else l_0_markup), 'document.j2')._get_default_module(context)
    context.exported_vars.discard('m')
    l_0_s = (undefined(name='statement') if l_0_statement is missing else l_0_statement)
    context.vars['s'] = l_0_s
    context.exported_vars.add('s')
    l_0_f = environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'f')
    context.vars['f'] = l_0_f
    context.exported_vars.add('f')
    def macro(l_1_items):
        t_6 = []
        if l_1_items is missing:
            l_1_items = undefined("parameter 'items' was not provided", name='items')
        pass
        for l_2_item in l_1_items:
            _loop_vars = {}
            pass
            t_6.append(
                str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), l_2_item, _loop_vars=_loop_vars)),
            )
        l_2_item = missing
        return concat(t_6)
    context.exported_vars.add('displays')
    context.vars['displays'] = l_0_displays = Macro(environment, macro, 'displays', ('items',), False, False, False, context.eval_ctx.autoescape)
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'begin'), (undefined(name='title') if l_0_title is missing else l_0_title)))
    template = environment.get_template('statement.j2', 'document.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {'displays': l_0_displays, 'f': l_0_f, 'figures_at': l_0_figures_at, 'm': l_0_m, 'many': l_0_many, 'part': l_0_part, 's': l_0_s, 'step': l_0_step}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    def macro(l_1_place):
        t_7 = []
        l_1_figures = resolve('figures')
        if l_1_place is missing:
            l_1_place = undefined("parameter 'place' was not provided", name='place')
        pass
        for l_2_fig in context.call(environment.getattr(((undefined(name='figures') if l_1_figures is missing else l_1_figures) or {}), 'get'), l_1_place, []):
            _loop_vars = {}
            pass
            t_7.append(
                str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'figure'), l_2_fig, _loop_vars=_loop_vars)),
            )
        l_2_fig = missing
        return concat(t_7)
    context.exported_vars.add('figures_at')
    context.vars['figures_at'] = l_0_figures_at = Macro(environment, macro, 'figures_at', ('place',), False, False, False, context.eval_ctx.autoescape)
    yield str(context.call((undefined(name='figures_at') if l_0_figures_at is missing else l_0_figures_at), 'given'))
    l_0_many = (t_2((undefined(name='iterations') if l_0_iterations is missing else l_0_iterations)) > 1)
    context.vars['many'] = l_0_many
    context.exported_vars.add('many')
    l_0_step = (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h3') if (undefined(name='many') if l_0_many is missing else l_0_many) else environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'))
    context.vars['step'] = l_0_step
    context.exported_vars.add('step')
    l_0_part = (environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h4') if (undefined(name='many') if l_0_many is missing else l_0_many) else environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h3'))
    context.vars['part'] = l_0_part
    context.exported_vars.add('part')
    l_1_loop = missing
    for l_1_it, l_1_loop in LoopContext((undefined(name='iterations') if l_0_iterations is missing else l_0_iterations), undefined):
        l_1_steps = resolve('steps')
        l_1_detail = resolve('detail')
        _loop_vars = {}
        pass
        if (undefined(name='many') if l_0_many is missing else l_0_many):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'), str_join(('Iteration ', environment.getattr(l_1_it, 'number'), )), _loop_vars=_loop_vars))
            if (environment.getattr(l_1_it, 'number') > 1):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('We start from the filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ((', bias and velocity' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'bias') else ' and velocity') if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'momentum') else (' and bias' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'bias') else '')), ' updated in iteration ', (environment.getattr(l_1_it, 'number') - 1), ':', )), _loop_vars=_loop_vars))
                yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'kernel'), _loop_vars=_loop_vars))
                if environment.getattr(l_1_it, 'bias'):
                    pass
                    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr(l_1_it, 'bias'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='step') if l_0_step is missing else l_0_step), str_join(('Step ', environment.getattr((undefined(name='steps') if l_1_steps is missing else l_1_steps), 'convolution'), ': Compute the ', ('Convolution' if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'operation') == 'convolution') else 'Cross-Correlation'), ' Output', )), _loop_vars=_loop_vars))
        if environment.getattr(l_1_it, 'padded_input'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('First the input is padded with zeros (', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'padding'), ' on every side), giving the ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'padded'), _loop_vars=_loop_vars), ' image:', )), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'padded_input'), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('We slide the ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'kernel'), _loop_vars=_loop_vars), ' filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), )), _loop_vars=_loop_vars), ' over the ', ('padded ' if environment.getattr(l_1_it, 'padded_input') else ''), 'image', (', summing over the channels,' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ' to compute the ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'conv_output'), _loop_vars=_loop_vars), ' feature map', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), )), _loop_vars=_loop_vars), ':', )), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'forward'), _loop_vars=_loop_vars))
        if environment.getattr(l_1_it, 'flipped_kernel'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Convolution flips the filter, so each window is multiplied cell by cell with the filter rotated by 180°:', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'flipped_kernel'), _loop_vars=_loop_vars))
        if (environment.getattr(l_1_it, 'cells_shown') < environment.getattr(l_1_it, 'cells_total')):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('The problem has ', environment.getattr(l_1_it, 'cells_total'), ' output cells. We work out in full the first one and the one with the largest gradient (the largest error); every other cell follows the same pattern, and all values are in the feature map below.', )), _loop_vars=_loop_vars))
        l_2_loop = missing
        for l_2_cell, l_2_loop in LoopContext(environment.getattr(l_1_it, 'cells'), undefined):
            _loop_vars = {}
            pass
            yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), str_join(('Output cell ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join(('(i, j) = ', environment.getattr(l_2_cell, 'ij'), )), _loop_vars=_loop_vars), (str_join((' of filter ', environment.getattr(l_2_cell, 'filter'), )) if (not t_5(environment.getattr(l_2_cell, 'filter'))) else ''), )), _loop_vars=_loop_vars))
            if (t_2(environment.getattr(l_2_cell, 'windows')) == 1):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Window of the ', ('padded ' if environment.getattr(l_1_it, 'padded_input') else ''), 'input: ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getitem(environment.getattr(l_2_cell, 'windows'), 0), _loop_vars=_loop_vars), )), _loop_vars=_loop_vars))
            else:
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Windows of the ', ('padded ' if environment.getattr(l_1_it, 'padded_input') else ''), 'input channels ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join(('0, \\dots, ', (t_2(environment.getattr(l_2_cell, 'windows')) - 1), )), _loop_vars=_loop_vars), ': ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), t_1(context.eval_ctx, environment.getattr(l_2_cell, 'windows'), ',\\ '), _loop_vars=_loop_vars), )), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr(l_2_cell, 'equation'), _loop_vars=_loop_vars))
            if (environment.getattr(l_2_loop, 'first') and (not environment.getattr(l_1_it, 'cells_symbolic'))):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Every other cell is worked the same way with its own window', ('s' if (not t_5(environment.getattr(l_2_cell, 'filter'))) else ''), '; from here on only the numbers are written, in the order of the sum above.', )), _loop_vars=_loop_vars))
        l_2_loop = l_2_cell = missing
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Computed feature map', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ':', )), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'feature_map'), _loop_vars=_loop_vars))
        if (environment.getattr(l_1_it, 'number') == 1):
            pass
            yield str(context.call((undefined(name='figures_at') if l_0_figures_at is missing else l_0_figures_at), 'window', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='figures_at') if l_0_figures_at is missing else l_0_figures_at), 'feature_map', _loop_vars=_loop_vars))
        if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'activation_name'):
            pass
            yield str(context.call((undefined(name='step') if l_0_step is missing else l_0_step), str_join(('Step ', environment.getattr((undefined(name='steps') if l_1_steps is missing else l_1_steps), 'activation'), ': Apply the Activation (', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'activation_name'), ')', )), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Each cell of the feature map goes through the activation; its local derivative is kept for the backward pass:', _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'activation'), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'activation_derivative'), _loop_vars=_loop_vars))
            if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'activation') == 'leaky_relu'):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('with slope ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join(('\\alpha = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'negative_slope'), )), _loop_vars=_loop_vars), '. At exactly ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'zero_input'), _loop_vars=_loop_vars), ' the derivative is taken as ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), '\\alpha', _loop_vars=_loop_vars), ', as PyTorch does.', )), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'activation'), _loop_vars=_loop_vars))
            if environment.getattr(l_1_it, 'relu_at_zero'):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), 'Note:', _loop_vars=_loop_vars), ' a ReLU input here is exactly ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), '0', _loop_vars=_loop_vars), ', where ReLU has no derivative; we take ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'relu_slope'), _loop_vars=_loop_vars), ' there, as PyTorch does.', )), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'activation_map'), _loop_vars=_loop_vars))
        if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling'):
            pass
            yield str(context.call((undefined(name='step') if l_0_step is missing else l_0_step), str_join(('Step ', environment.getattr((undefined(name='steps') if l_1_steps is missing else l_1_steps), 'pooling'), ': ', ('Max' if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling') == 'max') else 'Average'), ' Pooling', )), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Each ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pool_size'), _loop_vars=_loop_vars), ' window (stride ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pool_stride'), ') is reduced to ', ('its largest value; when several cells share the maximum, the first in row-major order wins.' if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling') == 'max') else str_join(('its average, with ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join(('k = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pool_k'), )), _loop_vars=_loop_vars), ' cells per window.', ))), )), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'pool'), _loop_vars=_loop_vars))
            if (environment.getattr(l_1_it, 'pooled_shown') < environment.getattr(l_1_it, 'outputs_total')):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Worked out for the first pooled cell and the one with the largest gradient:', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'pooling'), _loop_vars=_loop_vars))
            if environment.getattr(l_1_it, 'pool_ties'):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join((context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), 'Tie:', _loop_vars=_loop_vars), ' in the window', ('s' if (t_2(environment.getattr(l_1_it, 'pool_ties')) > 1) else ''), ' of ', t_1(context.eval_ctx, environment.getattr(l_1_it, 'pool_ties'), ', '), ' the maximum is shared; the first in row-major order wins.', )), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'The prediction that the loss compares with the target:', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'prediction'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='step') if l_0_step is missing else l_0_step), str_join(('Step ', environment.getattr((undefined(name='steps') if l_1_steps is missing else l_1_steps), 'loss'), ': Compute the Loss (', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'loss_name'), ')', )), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'loss'), _loop_vars=_loop_vars))
        if ((undefined(name='detail') if l_1_detail is missing else l_1_detail) == 'summary'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'The residuals, cell by cell:', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'residuals'), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Squaring and adding them:', _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr(l_1_it, 'loss'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='step') if l_0_step is missing else l_0_step), str_join(('Step ', environment.getattr((undefined(name='steps') if l_1_steps is missing else l_1_steps), 'gradients'), ': Compute the Gradients', )), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Each output cell depends on every weight it touched, so the gradient of a weight sums over ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'b'), 'all', _loop_vars=_loop_vars), ' output cells (the chain rule):', )), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'chain_rule'), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('where ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'local_symbol'), _loop_vars=_loop_vars), ' is the input value that weight ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'weight_symbol'), _loop_vars=_loop_vars), ' multiplied in window ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), '(i, j)', _loop_vars=_loop_vars), ':', )), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'local'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), 'Gradient of the loss with respect to each output cell', _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'loss_gradient'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_prediction'), _loop_vars=_loop_vars))
        if (environment.getattr(l_1_it, 'predictions_shown') < environment.getattr(l_1_it, 'outputs_total')):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'All output cells:', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_prediction_matrix'), _loop_vars=_loop_vars))
        if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling'):
            pass
            yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), 'Back through the pooling layer', _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), ('Max pooling passes each gradient to the cell that won its window; every other cell gets 0:' if (environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pooling') == 'max') else str_join(('Average pooling shares each gradient equally among the ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'pool_k'), ' cells of its window:', ))), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'unpool'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'routes'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_activation_matrix'), _loop_vars=_loop_vars))
        if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'activation_name'):
            pass
            yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), 'Back through the activation', _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'chain_z'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_feature_map'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_feature_map_matrix'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), 'Gradient for each filter weight', _loop_vars=_loop_vars))
        if (environment.getattr(l_1_it, 'weights_shown') < environment.getattr(l_1_it, 'weights_total')):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Worked out in full for the first weight and the one with the largest gradient; the others sum over all ', environment.getattr(l_1_it, 'cells_total'), ' output cells in the same way.', )), _loop_vars=_loop_vars))
        l_2_loop = missing
        for l_2_weight, l_2_loop in LoopContext(environment.getattr(l_1_it, 'grad_kernel'), undefined):
            _loop_vars = {}
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), l_2_weight, _loop_vars=_loop_vars))
            if (environment.getattr(l_2_loop, 'first') and (not environment.getattr(l_1_it, 'weights_symbolic'))):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Every other weight sums over the output cells in the same order; from here on only the numbers are written.', _loop_vars=_loop_vars))
        l_2_loop = l_2_weight = missing
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), ('All weights:' if (environment.getattr(l_1_it, 'weights_shown') < environment.getattr(l_1_it, 'weights_total')) else 'Collected as a matrix:'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_kernel_matrix'), _loop_vars=_loop_vars))
        if (environment.getattr(l_1_it, 'number') == 1):
            pass
            yield str(context.call((undefined(name='figures_at') if l_0_figures_at is missing else l_0_figures_at), 'grad_kernel', _loop_vars=_loop_vars))
        if environment.getattr(l_1_it, 'grad_bias'):
            pass
            yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), 'Gradient for the bias', _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'bias_gradient'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_bias'), _loop_vars=_loop_vars))
            if (not environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'rank2')):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr(l_1_it, 'grad_bias_vector'), _loop_vars=_loop_vars))
        if ('grad_input' in environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'show')):
            pass
            yield str(context.call((undefined(name='part') if l_0_part is missing else l_0_part), 'Gradient with respect to the input', _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('The backward pass through the ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'operation'), ' sends each ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'grad_z_symbol'), _loop_vars=_loop_vars), ' back to the input cells of its window, weighted by the filter:', )), _loop_vars=_loop_vars))
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'grad_input'), _loop_vars=_loop_vars))
            if (t_2(environment.getattr(l_1_it, 'grad_input')) == 1):
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'For example, the input cell touched by the most products:', _loop_vars=_loop_vars))
            l_2_loop = missing
            for l_2_cell, l_2_loop in LoopContext(environment.getattr(l_1_it, 'grad_input'), undefined):
                _loop_vars = {}
                pass
                yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), l_2_cell, _loop_vars=_loop_vars))
                if (environment.getattr(l_2_loop, 'first') and (not environment.getattr(l_1_it, 'inputs_symbolic'))):
                    pass
                    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'The other input cells likewise, with only the numbers written:', _loop_vars=_loop_vars))
            l_2_loop = l_2_cell = missing
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'grad_input_matrix'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='step') if l_0_step is missing else l_0_step), str_join(('Step ', environment.getitem((undefined(name='steps') if l_1_steps is missing else l_1_steps), 'update'), ': Update the Filter Using Gradient Descent', (' with Momentum' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'momentum') else ''), )), _loop_vars=_loop_vars))
        if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'momentum'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(("Using PyTorch's momentum rule with learning rate ", context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join((environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'eta'), ' = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'learning_rate'), )), _loop_vars=_loop_vars), ' and momentum ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join((environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'mu'), ' = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'momentum'), )), _loop_vars=_loop_vars), ': each weight keeps a velocity ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'v'), _loop_vars=_loop_vars), ' (zero before the first step), which is updated first and then moves the weight:', )), _loop_vars=_loop_vars))
        else:
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Using the update rule with learning rate ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join((environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'eta'), ' = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'learning_rate'), )), _loop_vars=_loop_vars), ':', )), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'update_rule'), _loop_vars=_loop_vars))
        if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'momentum'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Velocities before this step:', _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'velocity_before'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'velocities'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'velocity_matrix'), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'updates'), _loop_vars=_loop_vars))
        if (environment.getattr(l_1_it, 'weights_shown') < environment.getattr(l_1_it, 'weights_total')):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Every other weight is updated the same way.', _loop_vars=_loop_vars))
        if environment.getattr(l_1_it, 'bias_updates'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'bias_update_rule'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'bias_velocities'), _loop_vars=_loop_vars))
            yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'bias_updates'), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Updated filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), (' and bias' if environment.getattr(l_1_it, 'bias_next') else ''), ':', )), _loop_vars=_loop_vars))
        yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr(l_1_it, 'kernel_next'), _loop_vars=_loop_vars))
        if environment.getattr(l_1_it, 'bias_next'):
            pass
            yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'display'), environment.getattr(l_1_it, 'bias_next'), _loop_vars=_loop_vars))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Running the forward pass again with the updated ', ('weights' if environment.getattr(l_1_it, 'bias_next') else str_join(('filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ))), ' gives the new loss ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr(l_1_it, 'loss_next'), _loop_vars=_loop_vars), ', compared with ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr(l_1_it, 'loss_value'), _loop_vars=_loop_vars), ' before the update.', )), _loop_vars=_loop_vars))
    l_1_loop = l_1_it = l_1_steps = l_1_detail = missing
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'), 'Final Results'))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'items'), (([str_join(('Initial loss: ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'loss_initial')), ))] + ([str_join(('Updated bias: ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'bias')), ))] if environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'bias') else [])) + [str_join(('Loss with the updated ', ('weights' if environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'bias') else str_join(('filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ))), ': ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'loss_final')), ))])))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('Updated filter', ('s' if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'filters') else ''), ' after ', environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'iterations'), ' step', ('s' if (environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'iterations') > 1) else ''), ':', ))))
    yield str(context.call((undefined(name='displays') if l_0_displays is missing else l_0_displays), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'kernel')))
    yield str(context.call((undefined(name='figures_at') if l_0_figures_at is missing else l_0_figures_at), 'kernel_next'))
    if (environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'iterations') > 1):
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), 'Loss at each iteration, before and after its update:'))
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'items'), t_3(context.eval_ctx, t_4(context, environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'losses'), attribute='line'))))
        yield str(context.call((undefined(name='figures_at') if l_0_figures_at is missing else l_0_figures_at), 'loss'))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'h2'), 'Conclusion'))
    if environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'fell'):
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('This process mimics how CNNs learn filters: the gradients tell each weight which way to move, and one step against them lowered the loss from ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'first_loss')), ' to ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'last_loss')), (str_join((' over ', environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'iterations'), ' iterations', )) if (environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'iterations') > 1) else ''), '. Repeating the step keeps adjusting the filter towards the target.', ))))
    else:
        pass
        yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'para'), str_join(('This process mimics how CNNs learn filters, but here the loss did not fall (from ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'first_loss')), ' to ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), environment.getattr((undefined(name='final') if l_0_final is missing else l_0_final), 'last_loss')), '): the learning rate ', context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'i'), str_join((environment.getattr((undefined(name='f') if l_0_f is missing else l_0_f), 'eta'), ' = ', environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'learning_rate'), ))), ' is too large for this problem, so the step overshoots. A smaller learning rate would make the loss decrease.', ))))
    yield str(context.call(environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'end')))

blocks = {}
debug_info = '3=47&4=49&5=52&6=55&7=70&8=71&9=77&10=93&11=94&12=97&13=100&14=104&15=109&16=111&17=112&18=114&19=115&20=116&21=118&25=119&26=120&27=122&28=123&30=124&31=125&32=126&33=128&34=129&36=130&37=132&39=134&40=137&41=138&42=140&44=143&46=144&47=145&48=147&51=149&52=150&53=151&54=153&55=154&57=155&58=157&59=158&60=159&61=160&62=161&63=163&65=164&66=165&67=167&69=168&71=169&72=171&73=172&74=173&75=174&76=176&78=177&79=178&80=180&82=181&83=182&85=183&86=184&87=185&88=187&89=188&90=189&92=190&93=191&94=192&95=193&96=194&97=195&98=196&99=197&100=198&101=199&102=201&103=202&105=203&106=205&107=206&108=207&109=208&110=209&112=210&113=212&114=213&115=214&116=215&118=216&119=217&120=219&122=221&123=224&124=225&125=227&128=229&129=230&130=231&131=233&133=234&134=236&135=237&136=238&137=239&138=241&141=242&142=244&143=245&144=246&145=247&146=249&148=251&149=254&150=255&151=257&154=259&156=260&157=261&158=263&160=266&162=267&163=268&164=270&165=271&166=272&167=273&169=274&170=275&171=277&173=278&174=280&175=281&176=282&178=283&179=284&180=285&181=287&183=288&185=290&186=291&189=292&190=293&191=294&192=295&193=297&194=298&195=299&197=300&198=301&199=303&201=306&203=307'