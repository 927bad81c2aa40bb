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
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsOptional, IsString, Matches, MaxLength, } from 'class-validator';
const trim = ({ value }) => (typeof value === 'string' ? value.trim() : value);
/**
 * PUT semantics: the body is the customer's whole contact record. A field left out is
 * cleared, so the shop's record and Careflow's stay the same.
 */
let UpsertCustomerDto = (() => {
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
    return class UpsertCustomerDto {
        static {
            const _metadata = typeof Symbol === "function" && Symbol.metadata ? Object.create(null) : void 0;
            _email_decorators = [ApiPropertyOptional({ example: 'lan.nguyen@example.com', maxLength: 254, nullable: true }), IsOptional(), Transform(trim), IsEmail({}, { message: 'email must be an e-mail address' }), MaxLength(254)];
            _name_decorators = [ApiPropertyOptional({ example: 'Nguyễn Thị Lan', maxLength: 200, nullable: true }), IsOptional(), Transform(trim), IsString(), MaxLength(200)];
            _phone_decorators = [ApiPropertyOptional({ example: '+84 912 345 678', maxLength: 40, nullable: true }), IsOptional(), IsString(), Matches(/^\+?[0-9 ()./-]{3,40}$/, { message: 'phone must be a phone number (digits, spaces, + ( ) . / -)' })];
            _locale_decorators = [ApiPropertyOptional({ example: 'vi', description: 'BCP 47 language tag; chooses the language of e-mails.', nullable: true }), IsOptional(), Matches(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, { message: 'locale must be a BCP 47 language tag such as en or vi-VN' })];
            _tags_decorators = [ApiPropertyOptional({ type: [String], example: ['newsletter', 'hanoi'], maxItems: 50 }), IsOptional(), IsArray(), ArrayMaxSize(50), IsString({ each: true }), MaxLength(64, { each: true }), Matches(/\S/, { each: true, message: 'each value in tags must not be blank' })];
            _vip_decorators = [ApiPropertyOptional({
                    example: true,
                    nullable: true,
                    description: 'Manual VIP flag: true or false overrides the segment rules; null leaves it to them.',
                }), IsOptional(), IsBoolean()];
            __esDecorate(null, null, _email_decorators, { kind: "field", name: "email", static: false, private: false, access: { has: obj => "email" in obj, get: obj => obj.email, set: (obj, value) => { obj.email = value; } }, metadata: _metadata }, _email_initializers, _email_extraInitializers);
            __esDecorate(null, null, _name_decorators, { kind: "field", name: "name", static: false, private: false, access: { has: obj => "name" in obj, get: obj => obj.name, set: (obj, value) => { obj.name = value; } }, metadata: _metadata }, _name_initializers, _name_extraInitializers);
            __esDecorate(null, null, _phone_decorators, { kind: "field", name: "phone", static: false, private: false, access: { has: obj => "phone" in obj, get: obj => obj.phone, set: (obj, value) => { obj.phone = value; } }, metadata: _metadata }, _phone_initializers, _phone_extraInitializers);
            __esDecorate(null, null, _locale_decorators, { kind: "field", name: "locale", static: false, private: false, access: { has: obj => "locale" in obj, get: obj => obj.locale, set: (obj, value) => { obj.locale = value; } }, metadata: _metadata }, _locale_initializers, _locale_extraInitializers);
            __esDecorate(null, null, _tags_decorators, { kind: "field", name: "tags", static: false, private: false, access: { has: obj => "tags" in obj, get: obj => obj.tags, set: (obj, value) => { obj.tags = value; } }, metadata: _metadata }, _tags_initializers, _tags_extraInitializers);
            __esDecorate(null, null, _vip_decorators, { kind: "field", name: "vip", static: false, private: false, access: { has: obj => "vip" in obj, get: obj => obj.vip, set: (obj, value) => { obj.vip = value; } }, metadata: _metadata }, _vip_initializers, _vip_extraInitializers);
            if (_metadata) Object.defineProperty(this, Symbol.metadata, { enumerable: true, configurable: true, writable: true, value: _metadata });
        }
        email = __runInitializers(this, _email_initializers, void 0);
        name = (__runInitializers(this, _email_extraInitializers), __runInitializers(this, _name_initializers, void 0));
        phone = (__runInitializers(this, _name_extraInitializers), __runInitializers(this, _phone_initializers, void 0));
        locale = (__runInitializers(this, _phone_extraInitializers), __runInitializers(this, _locale_initializers, void 0));
        tags = (__runInitializers(this, _locale_extraInitializers), __runInitializers(this, _tags_initializers, void 0));
        vip = (__runInitializers(this, _tags_extraInitializers), __runInitializers(this, _vip_initializers, void 0));
        constructor() {
            __runInitializers(this, _vip_extraInitializers);
        }
    };
})();
export { UpsertCustomerDto };
