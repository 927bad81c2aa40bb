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
var __runInitializers = (this && this.__runInitializers) || function (thisArg, initializers, value) {
    var useValue = arguments.length > 2;
    for (var i = 0; i < initializers.length; i++) {
        value = useValue ? initializers[i].call(thisArg, value) : initializers[i].call(thisArg);
    }
    return useValue ? value : void 0;
};
import { ApiProperty } from '@nestjs/swagger';
let CustomerDto = (() => {
    let _externalId_decorators;
    let _externalId_initializers = [];
    let _externalId_extraInitializers = [];
    let _email_decorators;
    let _email_initializers = [];
    let _email_extraInitializers = [];
    let _name_decorators;
    let _name_initializers = [];
    let _name_extraInitializers = [];
    let _phone_decorators;
    let _phone_initializers = [];
    let _phone_extraInitializers = [];
    let _locale_decorators;
    let _locale_initializers = [];
    let _locale_extraInitializers = [];
    let _tags_decorators;
    let _tags_initializers = [];
    let _tags_extraInitializers = [];
    let _vip_decorators;
    let _vip_initializers = [];
    let _vip_extraInitializers = [];
    let _createdAt_decorators;
    let _createdAt_initializers = [];
    let _createdAt_extraInitializers = [];
    let _updatedAt_decorators;
    let _updatedAt_initializers = [];
    let _updatedAt_extraInitializers = [];
    return class CustomerDto {
        static {
            const _metadata = typeof Symbol === "function" && Symbol.metadata ? Object.create(null) : void 0;
            _externalId_decorators = [ApiProperty({ example: 'cus_1001' })];
            _email_decorators = [ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' })];
            _name_decorators = [ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' })];
            _phone_decorators = [ApiProperty({ type: String, nullable: true, example: '+84 912 345 678' })];
            _locale_decorators = [ApiProperty({ type: String, nullable: true, example: 'vi' })];
            _tags_decorators = [ApiProperty({ type: [String], example: ['newsletter'] })];
            _vip_decorators = [ApiProperty({ type: Boolean, nullable: true, example: null })];
            _createdAt_decorators = [ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })];
            _updatedAt_decorators = [ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })];
            __esDecorate(null, null, _externalId_decorators, { kind: "field", name: "externalId", static: false, private: false, access: { has: obj => "externalId" in obj, get: obj => obj.externalId, set: (obj, value) => { obj.externalId = value; } }, metadata: _metadata }, _externalId_initializers, _externalId_extraInitializers);
            __esDecorate(null, null, _email_decorators, { kind: "field", name: "email", static: false, private: false, access: { has: obj => "email" in obj, get: obj => obj.email, set: (obj, value) => { obj.email = value; } }, metadata: _metadata }, _email_initializers, _email_extraInitializers);
            __esDecorate(null, null, _name_decorators, { kind: "field", name: "name", static: false, private: false, access: { has: obj => "name" in obj, get: obj => obj.name, set: (obj, value) => { obj.name = value; } }, metadata: _metadata }, _name_initializers, _name_extraInitializers);
            __esDecorate(null, null, _phone_decorators, { kind: "field", name: "phone", static: false, private: false, access: { has: obj => "phone" in obj, get: obj => obj.phone, set: (obj, value) => { obj.phone = value; } }, metadata: _metadata }, _phone_initializers, _phone_extraInitializers);
            __esDecorate(null, null, _locale_decorators, { kind: "field", name: "locale", static: false, private: false, access: { has: obj => "locale" in obj, get: obj => obj.locale, set: (obj, value) => { obj.locale = value; } }, metadata: _metadata }, _locale_initializers, _locale_extraInitializers);
            __esDecorate(null, null, _tags_decorators, { kind: "field", name: "tags", static: false, private: false, access: { has: obj => "tags" in obj, get: obj => obj.tags, set: (obj, value) => { obj.tags = value; } }, metadata: _metadata }, _tags_initializers, _tags_extraInitializers);
            __esDecorate(null, null, _vip_decorators, { kind: "field", name: "vip", static: false, private: false, access: { has: obj => "vip" in obj, get: obj => obj.vip, set: (obj, value) => { obj.vip = value; } }, metadata: _metadata }, _vip_initializers, _vip_extraInitializers);
            __esDecorate(null, null, _createdAt_decorators, { kind: "field", name: "createdAt", static: false, private: false, access: { has: obj => "createdAt" in obj, get: obj => obj.createdAt, set: (obj, value) => { obj.createdAt = value; } }, metadata: _metadata }, _createdAt_initializers, _createdAt_extraInitializers);
            __esDecorate(null, null, _updatedAt_decorators, { kind: "field", name: "updatedAt", static: false, private: false, access: { has: obj => "updatedAt" in obj, get: obj => obj.updatedAt, set: (obj, value) => { obj.updatedAt = value; } }, metadata: _metadata }, _updatedAt_initializers, _updatedAt_extraInitializers);
            if (_metadata) Object.defineProperty(this, Symbol.metadata, { enumerable: true, configurable: true, writable: true, value: _metadata });
        }
        externalId = __runInitializers(this, _externalId_initializers, void 0);
        email = (__runInitializers(this, _externalId_extraInitializers), __runInitializers(this, _email_initializers, void 0));
        name = (__runInitializers(this, _email_extraInitializers), __runInitializers(this, _name_initializers, void 0));
        phone = (__runInitializers(this, _name_extraInitializers), __runInitializers(this, _phone_initializers, void 0));
        locale = (__runInitializers(this, _phone_extraInitializers), __runInitializers(this, _locale_initializers, void 0));
        tags = (__runInitializers(this, _locale_extraInitializers), __runInitializers(this, _tags_initializers, void 0));
        vip = (__runInitializers(this, _tags_extraInitializers), __runInitializers(this, _vip_initializers, void 0));
        createdAt = (__runInitializers(this, _vip_extraInitializers), __runInitializers(this, _createdAt_initializers, void 0));
        updatedAt = (__runInitializers(this, _createdAt_extraInitializers), __runInitializers(this, _updatedAt_initializers, void 0));
        static from(c) {
            return {
                externalId: c.externalId,
                email: c.email,
                name: c.name,
                phone: c.phone,
                locale: c.locale,
                tags: c.tags,
                vip: c.vip,
                createdAt: c.createdAt.toISOString(),
                updatedAt: c.updatedAt.toISOString(),
            };
        }
        constructor() {
            __runInitializers(this, _updatedAt_extraInitializers);
        }
    };
})();
export { CustomerDto };
export const CUSTOMER_EXAMPLE = {
    externalId: 'cus_1001',
    email: 'lan.nguyen@example.com',
    name: 'Nguyễn Thị Lan',
    phone: '+84 912 345 678',
    locale: 'vi',
    tags: ['newsletter'],
    vip: null,
    createdAt: '2026-11-23T09:30:00.000Z',
    updatedAt: '2026-11-23T09:30:00.000Z',
};
