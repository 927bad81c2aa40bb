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
import { Injectable } from '@nestjs/common';
import { Customer } from './entities/customer.entity.js';
function toEntity(row) {
    return Object.assign(new Customer(), {
        id: row.id,
        externalId: row.external_id,
        email: row.email,
        name: row.name,
        phone: row.phone,
        locale: row.locale,
        tags: row.tags,
        vip: row.vip,
        version: row.version,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
    });
}
let CustomersRepository = (() => {
    let _classDecorators = [Injectable()];
    let _classDescriptor;
    let _classExtraInitializers = [];
    let _classThis;
    var CustomersRepository = class {
        static { _classThis = this; }
        static {
            const _metadata = typeof Symbol === "function" && Symbol.metadata ? Object.create(null) : void 0;
            __esDecorate(null, _classDescriptor = { value: _classThis }, _classDecorators, { kind: "class", name: _classThis.name, metadata: _metadata }, null, _classExtraInitializers);
            CustomersRepository = _classThis = _classDescriptor.value;
            if (_metadata) Object.defineProperty(_classThis, Symbol.metadata, { enumerable: true, configurable: true, writable: true, value: _metadata });
            __runInitializers(_classThis, _classExtraInitializers);
        }
        db;
        constructor(db) {
            this.db = db;
        }
        /**
         * Inserts or replaces the customer in one statement. A PUT that changes nothing leaves
         * the row (and its version) alone, so no event is announced for it.
         */
        async upsert(tx, externalId, f) {
            const rows = await tx.query(`INSERT INTO segmentation.customers AS c (external_id, email, name, phone, locale, tags, vip)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (external_id) DO UPDATE SET
         email = excluded.email, name = excluded.name, phone = excluded.phone,
         locale = excluded.locale, tags = excluded.tags, vip = excluded.vip,
         version = c.version + 1, updated_at = now()
       WHERE (c.email, c.name, c.phone, c.locale, c.tags, c.vip)
             IS DISTINCT FROM (excluded.email, excluded.name, excluded.phone, excluded.locale, excluded.tags, excluded.vip)
       RETURNING *, (xmax = 0) AS inserted`, [externalId, f.email, f.name, f.phone, f.locale, f.tags, f.vip]);
            const row = rows[0];
            if (row)
                return { customer: toEntity(row), outcome: row.inserted ? 'created' : 'updated' };
            const existing = await this.findByExternalId(externalId, tx);
            if (!existing)
                throw new Error(`customer ${externalId} vanished during upsert`);
            return { customer: existing, outcome: 'unchanged' };
        }
        async findByExternalId(externalId, tx = this.db.manager) {
            const rows = await tx.query(`SELECT * FROM segmentation.customers WHERE external_id = $1`, [externalId]);
            return rows[0] ? toEntity(rows[0]) : null;
        }
    };
    return CustomersRepository = _classThis;
})();
export { CustomersRepository };
