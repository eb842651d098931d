import { Injectable } from "@nestjs/common";

@Injectable()
export class DeserializationService {
  runScript(script: string): unknown {
    return eval(script);
  }
}
