var __runInitializers = (this && this.__runInitializers) || function (thisArg, initializers, value) {
    var useValue = arguments.length > 2;
    for (var i = 0; i < initializers.length; i++) {
        value = useValue ? initializers[i].call(thisArg, value) : initializers[i].call(thisArg);
    }
    return useValue ? value : void 0;
};
var __esDecorate = (this && this.__esDecorate) || function (ctor, descriptorIn, decorators, contextIn, initializers, extraInitializers) {
    function accept(f) { if (f !== void 0 && typeof f !== "function") throw new TypeError("Function expected"); return f; }
    var kind = contextIn.kind, key = kind === "getter" ? "get" : kind === "setter" ? "set" : "value";
    var target = !descriptorIn && ctor ? contextIn["static"] ? ctor : ctor.prototype : null;
    var descriptor = descriptorIn || (target ? Object.getOwnPropertyDescriptor(target, contextIn.name) : {});
    var _, done = false;
    for (var i = decorators.length - 1; i >= 0; i--) {
        var context = {};
        for (var p in contextIn) context[p] = p === "access" ? {} : contextIn[p];
        for (var p in contextIn.access) context.access[p] = contextIn.access[p];
        context.addInitializer = function (f) { if (done) throw new TypeError("Cannot add initializers after decoration has completed"); extraInitializers.push(accept(f || null)); };
        var result = (0, decorators[i])(kind === "accessor" ? { get: descriptor.get, set: descriptor.set } : descriptor[key], context);
        if (kind === "accessor") {
            if (result === void 0) continue;
            if (result === null || typeof result !== "object") throw new TypeError("Object expected");
            if (_ = accept(result.get)) descriptor.get = _;
            if (_ = accept(result.set)) descriptor.set = _;
            if (_ = accept(result.init)) initializers.unshift(_);
        }
        else if (_ = accept(result)) {
            if (kind === "field") initializers.unshift(_);
            else descriptor[key] = _;
        }
    }
    if (target) Object.defineProperty(target, contextIn.name, descriptor);
    done = true;
};
import { ApiOperationDoc, RequireScopes } from '@careflow/http';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CUSTOMER_EXAMPLE, CustomerDto } from './dto/customer.dto.js';
let CustomersController = (() => {
    let _classDecorators = [ApiTags('Customers'), Controller('v1/customers')];
    let _classDescriptor;
    let _classExtraInitializers = [];
    let _classThis;
    let _instanceExtraInitializers = [];
    let _upsert_decorators;
    let _get_decorators;
    var CustomersController = class {
        static { _classThis = this; }
        static {
            const _metadata = typeof Symbol === "function" && Symbol.metadata ? Object.create(null) : void 0;
            _upsert_decorators = [Put(':externalId'), RequireScopes('customers:write'), ApiOperationDoc({
                    operationId: 'upsertCustomer',
                    summary: 'Create or replace a customer',
                    description: 'Keyed by the shop\'s own customer id. The body replaces the stored contact record (fields left out are cleared). ' +
                        'A change is announced to the other services; a PUT that changes nothing is a no-op.',
                    status: 200,
                    type: CustomerDto,
                    example: CUSTOMER_EXAMPLE,
                    errors: [400, 413],
                })];
            _get_decorators = [Get(':externalId'), RequireScopes('customers:read'), ApiOperationDoc({
                    operationId: 'getCustomer',
                    summary: 'Get a customer',
                    status: 200,
                    type: CustomerDto,
                    example: CUSTOMER_EXAMPLE,
                    errors: [400, 404],
                })];
            __esDecorate(this, null, _upsert_decorators, { kind: "method", name: "upsert", static: false, private: false, access: { has: obj => "upsert" in obj, get: obj => obj.upsert }, metadata: _metadata }, null, _instanceExtraInitializers);
            __esDecorate(this, null, _get_decorators, { kind: "method", name: "get", static: false, private: false, access: { has: obj => "get" in obj, get: obj => obj.get }, metadata: _metadata }, null, _instanceExtraInitializers);
            __esDecorate(null, _classDescriptor = { value: _classThis }, _classDecorators, { kind: "class", name: _classThis.name, metadata: _metadata }, null, _classExtraInitializers);
            CustomersController = _classThis = _classDescriptor.value;
            if (_metadata) Object.defineProperty(_classThis, Symbol.metadata, { enumerable: true, configurable: true, writable: true, value: _metadata });
            __runInitializers(_classThis, _classExtraInitializers);
        }
        customers = __runInitializers(this, _instanceExtraInitializers);
        constructor(customers) {
            this.customers = customers;
        }
        async upsert(params, body) {
            const { customer } = await this.customers.upsert(params.externalId, body);
            return CustomerDto.from(customer);
        }
        async get(params) {
            return CustomerDto.from(await this.customers.get(params.externalId));
        }
    };
    return CustomersController = _classThis;
})();
export { CustomersController };
