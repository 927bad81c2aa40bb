import { DomainError } from '@careflow/platform';

export class AddressTakenError extends DomainError {
  readonly status = 409;
  readonly code = 'address-taken';
  readonly title = 'Inbound address already routes to another group';
  constructor(address: string, group: string) {
    super(`${address} already routes to group ${group}`);
    this.extensions['address'] = address;
    this.extensions['group'] = group;
  }
}

export class GroupExistsError extends DomainError {
  readonly status = 409;
  readonly code = 'group-exists';
  readonly title = 'A group with this key exists';
  constructor(key: string) {
    super(`group ${key} already exists`);
  }
}
